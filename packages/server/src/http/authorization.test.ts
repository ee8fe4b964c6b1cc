/**
 * "Who may call this" (STYLE rule 18), in-process: every workspace route of the contract's route
 * table, called as the owner, an admin, a member, a signed-in outsider, no one (signed out) and the
 * owner from another site (wrong origin). A route added to the table under a workspace without an
 * entry here fails the first test. Targets are another member's (the "bystander"), so a member's
 * own-key rights do not blur the cells. Each route gets a fresh world; each cell a fresh target.
 */
import { type RouteName, routes } from "@cogno/protocol";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../apikeys/service.ts";
import { userActor } from "../audit/service.ts";
import { joinWorkspace } from "../testing/members.ts";
import { signedUpPerson, startTestApp, type TestApp, type TestPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { upsertWorkerOnRegister } from "../workers/store.ts";
import { createInvitation } from "../workspaces/invitation-service.ts";

type Actor = "owner" | "admin" | "member" | "outsider";
const ACTORS: Actor[] = ["owner", "admin", "member", "outsider"];

interface World {
  deps: TestDeps;
  http: TestApp;
  workspaceId: string;
  people: Record<Actor | "bystander", TestPerson>;
}

interface Target {
  params?: Record<string, string>;
  body?: unknown;
}

interface Entry {
  /** Makes what one call acts on (a fresh key, member, invitation…), as the bystander or the owner. */
  target?(world: World): Promise<Target>;
  expected: Record<Actor, number>;
}

const READ_BY_MEMBERS = { owner: 200, admin: 200, member: 200, outsider: 403 };
const ADMINS_ONLY = (status: number) => ({ owner: status, admin: status, member: 403, outsider: 403 });
/** Another member's key or worker: a member is told it does not exist. */
const NOT_A_MEMBERS = (status: number) => ({ owner: status, admin: status, member: 404, outsider: 403 });

let machines = 0;

async function bystanderKey(world: World) {
  machines += 1;
  return createApiKey(world.deps, {
    workspaceId: world.workspaceId,
    actor: world.people.bystander.user,
    name: `bystander-${machines}`,
  });
}

async function bystanderWorker(world: World): Promise<string> {
  const { apiKey } = await bystanderKey(world);
  machines += 1;
  const machineId = `machine-${machines}`;
  const workerId = await upsertWorkerOnRegister(world.deps.db, {
    newId: `wkr_${machineId}`,
    workspaceId: world.workspaceId,
    ownerId: world.people.bystander.user.id,
    apiKeyId: apiKey.id,
    connectionId: `conn_${machineId}`,
    ip: "203.0.113.5",
    at: world.deps.clock.now().toISOString(),
    hello: {
      type: "register",
      machineId,
      name: machineId,
      hostname: machineId,
      os: "linux",
      arch: "x64",
      version: "1",
    },
  });
  if (workerId === undefined) throw new Error("the worker was not registered");
  return workerId;
}

async function newMember(world: World): Promise<string> {
  machines += 1;
  const person = await signedUpPerson(world.deps, `Target ${machines}`);
  await joinWorkspace(world.deps, {
    workspaceId: world.workspaceId,
    inviter: world.people.owner.user,
    joiner: person.user,
    role: "member",
  });
  return person.user.id;
}

/** Every route acting inside one workspace; the keys are the route table's names. */
const MATRIX: Partial<Record<RouteName, Entry>> = {
  getWorkspace: { expected: READ_BY_MEMBERS },
  listMembers: { expected: READ_BY_MEMBERS },
  changeMemberRole: {
    target: async (world) => ({ params: { userId: await newMember(world) }, body: { role: "admin" } }),
    expected: ADMINS_ONLY(200),
  },
  removeMember: {
    target: async (world) => ({ params: { userId: await newMember(world) } }),
    expected: ADMINS_ONLY(204),
  },
  createInvitation: { target: async () => ({ body: { role: "member" } }), expected: ADMINS_ONLY(201) },
  listInvitations: { expected: ADMINS_ONLY(200) },
  revokeInvitation: {
    async target(world) {
      const { invitation } = await createInvitation(
        world.deps,
        world.workspaceId,
        userActor(world.people.owner.user),
        { role: "member" },
      );
      return { params: { invitationId: invitation.id } };
    },
    expected: ADMINS_ONLY(204),
  },
  createApiKey: {
    target: async () => ({ body: { name: `own-${++machines}` } }),
    expected: { owner: 201, admin: 201, member: 201, outsider: 403 },
  },
  listApiKeys: { expected: READ_BY_MEMBERS },
  getApiKey: {
    target: async (world) => ({ params: { keyId: (await bystanderKey(world)).apiKey.id } }),
    expected: NOT_A_MEMBERS(200),
  },
  renameApiKey: {
    target: async (world) => ({
      params: { keyId: (await bystanderKey(world)).apiKey.id },
      body: { name: "renamed" },
    }),
    expected: NOT_A_MEMBERS(200),
  },
  rollApiKey: {
    target: async (world) => ({
      params: { keyId: (await bystanderKey(world)).apiKey.id },
      body: { expiresInSeconds: 60 },
    }),
    expected: NOT_A_MEMBERS(201),
  },
  revokeApiKey: {
    target: async (world) => ({ params: { keyId: (await bystanderKey(world)).apiKey.id } }),
    expected: NOT_A_MEMBERS(200),
  },
  listWorkers: { expected: READ_BY_MEMBERS },
  disconnectWorker: {
    target: async (world) => ({ params: { workerId: await bystanderWorker(world) } }),
    expected: NOT_A_MEMBERS(200),
  },
  forgetWorker: {
    async target(world) {
      const workerId = await bystanderWorker(world);
      const stopped = await call(world, "owner", routes.disconnectWorker, { params: { workerId } });
      expect(stopped.statusCode).toBe(200);
      return { params: { workerId } };
    },
    expected: NOT_A_MEMBERS(204),
  },
  workspaceEvents: { expected: READ_BY_MEMBERS },
  auditLog: { expected: ADMINS_ONLY(200) },
  // Not under the workspace's path, but it makes a key in the workspace named in its body.
  deviceApprove: {
    async target(world) {
      const login = await world.http.call("POST", routes.deviceAuthorize.path, {
        body: { clientName: `laptop-${++machines}` },
      });
      return { body: { userCode: login.json().userCode, workspaceId: world.workspaceId } };
    },
    expected: { owner: 200, admin: 200, member: 200, outsider: 403 },
  },
};

/** The routes that act inside a workspace: its id in the path. */
const WORKSPACE_ROUTES = (Object.keys(routes) as RouteName[]).filter((name) =>
  routes[name].path.startsWith("/api/v1/workspaces/:workspaceId"),
);

type Caller = Actor | "signed out" | "wrong origin";
const CROSS_SITE = { "sec-fetch-site": "cross-site", origin: "https://evil.example" };

async function call(
  world: World,
  caller: Caller,
  route: (typeof routes)[RouteName],
  target: Target,
): Promise<LightMyRequestResponse> {
  const params: Record<string, string> = { workspaceId: world.workspaceId, ...target.params };
  const url = route.path.replace(/:(\w+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${route.path}`);
    return encodeURIComponent(value);
  });
  const person =
    caller === "signed out" ? undefined : world.people[caller === "wrong origin" ? "owner" : caller];
  return world.http.app.http.inject({
    method: route.method,
    url,
    headers: {
      "user-agent": "cogno-test/1.0",
      ...(person ? { cookie: person.cookie } : {}),
      ...(caller === "wrong origin" ? CROSS_SITE : {}),
    },
    ...(target.body === undefined ? {} : { payload: target.body as object }),
    // The event stream never ends: answer once its head is written.
    payloadAsStream: route === routes.workspaceEvents,
  });
}

async function createWorld(): Promise<World> {
  const deps = await createTestDeps();
  const http = await startTestApp(deps);
  const [owner, admin, member, outsider, bystander] = await Promise.all(
    ["Owner", "Admin", "Member", "Outsider", "Bystander"].map((name) => signedUpPerson(deps, name)),
  );
  if (!owner || !admin || !member || !outsider || !bystander) throw new Error("sign-up failed");
  const created = await http.call("POST", routes.createWorkspace.path, { as: owner, body: { name: "Acme" } });
  const workspaceId: string = created.json().workspace.id;
  for (const [person, role] of [
    [admin, "admin"],
    [member, "member"],
    [bystander, "member"],
  ] as const) {
    await joinWorkspace(deps, { workspaceId, inviter: owner.user, joiner: person.user, role });
  }
  return { deps, http, workspaceId, people: { owner, admin, member, outsider, bystander } };
}

/** The error code each refused status carries. */
const CODE_OF: Record<number, string> = { 401: "unauthenticated", 403: "forbidden", 404: "not_found" };

async function expectAnswer(response: LightMyRequestResponse, status: number, code?: string) {
  expect(response.statusCode).toBe(status);
  if (status >= 400) {
    const body = JSON.parse(await bodyOf(response));
    expect(body.error.code).toBe(code ?? CODE_OF[status]);
  }
  // A stream's body never ends: release it.
  response.stream?.().destroy();
}

async function bodyOf(response: LightMyRequestResponse): Promise<string> {
  const stream = response.stream?.();
  if (!stream) return response.body;
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text;
}

it("has an entry for every workspace route of the route table", () => {
  expect(WORKSPACE_ROUTES.length).toBeGreaterThan(10);
  for (const name of WORKSPACE_ROUTES) expect(MATRIX, `no entry for ${name}`).toHaveProperty(name);
});

for (const [name, entry] of Object.entries(MATRIX) as [RouteName, Entry][]) {
  const route = routes[name];
  describe(`${route.method} ${route.path} (${name})`, () => {
    let world: World;
    beforeAll(async () => {
      world = await createWorld();
    });
    afterAll(async () => {
      await world.http.close();
      await world.deps.cleanup();
    });
    const target = () => entry.target?.(world) ?? Promise.resolve({});

    it.each(ACTORS)("as %s", async (actor) => {
      await expectAnswer(await call(world, actor, route, await target()), entry.expected[actor]);
    });

    it("signed out: 401 unauthenticated", async () => {
      await expectAnswer(await call(world, "signed out", route, await target()), 401);
    });

    it("from another site, with the owner's session", async () => {
      const response = await call(world, "wrong origin", route, await target());
      if (route.method === "GET") await expectAnswer(response, entry.expected.owner);
      else await expectAnswer(response, 403, "cross_origin_rejected");
    });
  });
}
