/**
 * Who may do what: owner, admin, member and a signed-in outsider against every workspace route, and
 * no session at all. Each cell asserts the exact status and error code.
 */
import {
  apiKeyDetailResponseSchema,
  apiKeysResponseSchema,
  createApiKeyResponseSchema,
  createInvitationResponseSchema,
  deviceApproveResponseSchema,
  deviceAuthorizationResponseSchema,
  invitationsResponseSchema,
  memberResponseSchema,
  membersResponseSchema,
  revokeApiKeyResponseSchema,
  workerResponseSchema,
  workersResponseSchema,
  workspaceWithRoleResponseSchema,
} from "@cogno/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ApiClient,
  type ApiResponse,
  addMember,
  bodyOf,
  createKey,
  type SignedInUser,
  signUp,
  signUpWithWorkspace,
} from "../support/api.ts";
import { expectError, expectSameRefusal } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered } from "../support/worker-socket.ts";

type Actor = "owner" | "admin" | "member" | "outsider";
const ACTORS: Actor[] = ["owner", "admin", "member", "outsider"];

const fixture = useServer();
let workspaceId: string;
let owner: SignedInUser & { workspaceId: string };
let clients: Record<Actor, ApiClient>;
/** A member whose keys and membership the others act on. */
let bystander: SignedInUser;
let bystanderKeyId: string;
let bystanderKey: string;
let machines = 0;

beforeAll(async () => {
  owner = await signUpWithWorkspace(fixture.server.url, "Owner");
  workspaceId = owner.workspaceId;
  const [admin, member, outsider, other] = await Promise.all([
    addMember(owner, "admin"),
    addMember(owner, "member"),
    signUp(fixture.server.url, "Outsider"),
    addMember(owner, "member", "Bystander"),
  ]);
  clients = { owner: owner.client, admin: admin.client, member: member.client, outsider: outsider.client };
  bystander = other;
  const created = await createKey({ client: bystander.client, workspaceId }, "bystander-key");
  bystanderKeyId = created.apiKey.id;
  bystanderKey = created.key;
});

/** Opens the event stream and reads only its status line and headers, then hangs up. */
async function openEventStream(client: ApiClient | undefined): Promise<ApiResponse> {
  const abort = new AbortController();
  const response = await fetch(`${fixture.server.url}/api/v1/workspaces/${workspaceId}/events`, {
    headers: client?.sessionCookie ? { cookie: client.sessionCookie } : {},
    signal: abort.signal,
  });
  const type = response.headers.get("content-type") ?? "";
  const body: unknown = type.includes("json") ? await response.json() : type;
  abort.abort();
  return { status: response.status, body, headers: response.headers };
}

interface RouteCase {
  route: string;
  /** Performs the request as `client` (undefined: no session). */
  run(client: ApiClient | undefined): Promise<ApiResponse>;
  expected: Record<Actor, number>;
  /** For each success, checks the shape of the answer. */
  check?(response: ApiResponse): void;
}

function anonymous(): ApiClient {
  return new ApiClient(fixture.server.url);
}

const base = () => `/api/v1/workspaces/${workspaceId}`;

const ROUTES: RouteCase[] = [
  {
    route: "GET workspace",
    run: (client = anonymous()) => client.get(base()),
    expected: { owner: 200, admin: 200, member: 200, outsider: 403 },
    check: (response) =>
      expect(bodyOf(response, workspaceWithRoleResponseSchema).workspace.id).toBe(workspaceId),
  },
  {
    route: "GET members",
    run: (client = anonymous()) => client.get(`${base()}/members`),
    expected: { owner: 200, admin: 200, member: 200, outsider: 403 },
    check: (response) =>
      expect(bodyOf(response, membersResponseSchema).members.length).toBeGreaterThanOrEqual(4),
  },
  {
    route: "POST invitations",
    run: (client = anonymous()) => client.post(`${base()}/invitations`, { role: "member" }),
    expected: { owner: 201, admin: 201, member: 403, outsider: 403 },
    check: (response) => expect(typeof bodyOf(response, createInvitationResponseSchema).token).toBe("string"),
  },
  {
    route: "DELETE another member",
    async run(client = anonymous()) {
      const target = await addMember(owner, "member", "Target");
      return client.delete(`${base()}/members/${target.user.id}`);
    },
    expected: { owner: 204, admin: 204, member: 403, outsider: 403 },
  },
  {
    route: "POST api-keys",
    run: (client = anonymous()) => client.post(`${base()}/api-keys`, { name: "matrix" }),
    expected: { owner: 201, admin: 201, member: 201, outsider: 403 },
    check: (response) => expect(bodyOf(response, createApiKeyResponseSchema).key).toMatch(/^cogno_wk_/),
  },
  {
    route: "GET api-keys",
    run: (client = anonymous()) => client.get(`${base()}/api-keys?state=all`),
    expected: { owner: 200, admin: 200, member: 200, outsider: 403 },
    check: (response) => expect(Array.isArray(bodyOf(response, apiKeysResponseSchema).apiKeys)).toBe(true),
  },
  {
    route: "GET another member's api-key",
    run: (client = anonymous()) => client.get(`${base()}/api-keys/${bystanderKeyId}`),
    expected: { owner: 200, admin: 200, member: 404, outsider: 403 },
    check: (response) =>
      expect(bodyOf(response, apiKeyDetailResponseSchema).apiKey.owner.id).toBe(bystander.user.id),
  },
  {
    route: "DELETE another member's api-key",
    async run(client = anonymous()) {
      const target = await createKey({ client: bystander.client, workspaceId }, "to-be-revoked");
      const response = await client.delete(`${base()}/api-keys/${target.apiKey.id}`);
      // Whatever the answer, the key is revoked exactly when the answer said so.
      const after = await bystander.client.get(`${base()}/api-keys/${target.apiKey.id}`);
      expect(bodyOf(after, apiKeyDetailResponseSchema).apiKey.revokedAt === null).toBe(
        response.status !== 200,
      );
      if (response.status !== 200) await bystander.client.delete(`${base()}/api-keys/${target.apiKey.id}`);
      return response;
    },
    expected: { owner: 200, admin: 200, member: 404, outsider: 403 },
    check: (response) => expect(bodyOf(response, revokeApiKeyResponseSchema).apiKey.revokedAt).not.toBeNull(),
  },
  {
    route: "GET workers",
    run: (client = anonymous()) => client.get(`${base()}/workers`),
    expected: { owner: 200, admin: 200, member: 200, outsider: 403 },
    check: (response) => expect(Array.isArray(bodyOf(response, workersResponseSchema).workers)).toBe(true),
  },
  {
    route: "GET invitations",
    run: (client = anonymous()) => client.get(`${base()}/invitations`),
    expected: { owner: 200, admin: 200, member: 403, outsider: 403 },
    check: (response) =>
      expect(Array.isArray(bodyOf(response, invitationsResponseSchema).invitations)).toBe(true),
  },
  {
    route: "DELETE invitation",
    async run(client = anonymous()) {
      const created = await owner.client.post(`${base()}/invitations`, { role: "member" });
      return client.delete(
        `${base()}/invitations/${bodyOf(created, createInvitationResponseSchema).invitation.id}`,
      );
    },
    expected: { owner: 204, admin: 204, member: 403, outsider: 403 },
  },
  {
    route: "PATCH another member's role",
    async run(client = anonymous()) {
      const target = await addMember(owner, "member", "Promoted");
      return client.request("PATCH", `${base()}/members/${target.user.id}`, { role: "admin" });
    },
    expected: { owner: 200, admin: 200, member: 403, outsider: 403 },
    check: (response) => expect(bodyOf(response, memberResponseSchema).member.role).toBe("admin"),
  },
  {
    route: "POST disconnect another member's worker",
    async run(client = anonymous()) {
      machines += 1;
      const worker = await connectRegistered(fixture.server.url, bystanderKey, `matrix-stop-${machines}`);
      try {
        return await client.post(`${base()}/workers/${worker.workerId}/disconnect`);
      } finally {
        worker.socket.terminate();
      }
    },
    expected: { owner: 200, admin: 200, member: 404, outsider: 403 },
    check: (response) => expect(bodyOf(response, workerResponseSchema).worker.status).toBe("stopped"),
  },
  {
    route: "DELETE another member's stopped worker",
    async run(client = anonymous()) {
      machines += 1;
      const worker = await connectRegistered(fixture.server.url, bystanderKey, `matrix-forget-${machines}`);
      worker.send({ type: "stopping" });
      await worker.closed;
      await waitFor(
        () => owner.client.get(`${base()}/workers`),
        (list) =>
          bodyOf(list, workersResponseSchema).workers.some(
            (w) => w.id === worker.workerId && w.status === "stopped",
          ),
      );
      return client.delete(`${base()}/workers/${worker.workerId}`);
    },
    expected: { owner: 204, admin: 204, member: 404, outsider: 403 },
  },
  {
    route: "POST device approve into the workspace",
    async run(client = anonymous()) {
      const login = await anonymous().post("/api/v1/device/authorize", { clientName: "matrix-machine" });
      return client.post("/api/v1/device/approve", {
        userCode: bodyOf(login, deviceAuthorizationResponseSchema).userCode,
        workspaceId,
      });
    },
    expected: { owner: 200, admin: 200, member: 200, outsider: 403 },
    check: (response) =>
      expect(bodyOf(response, deviceApproveResponseSchema).apiKey.name).toBe("matrix-machine"),
  },
  {
    route: "GET events",
    run: (client) => openEventStream(client),
    expected: { owner: 200, admin: 200, member: 200, outsider: 403 },
    check: (response) => expect(response.body).toMatch(/^text\/event-stream/),
  },
];

const CELLS = ROUTES.flatMap((route) => ACTORS.map((actor) => ({ route, actor })));

describe("authorization matrix", () => {
  it.each(
    CELLS.map((cell) => [cell.route.route, cell.actor, cell.route.expected[cell.actor], cell] as const),
  )("%s as %s answers %i", async (_route, actor, status, cell) => {
    const response = await cell.route.run(clients[actor]);
    if (status >= 400) {
      expectError(response, status, status === 404 ? "not_found" : "forbidden");
    } else {
      expect(response.status).toBe(status);
      cell.route.check?.(response);
    }
  });

  it.each(ROUTES.map((route) => [route.route, route] as const))(
    "%s without a session answers 401 unauthenticated",
    async (_route, route) => {
      expectError(await route.run(undefined), 401, "unauthenticated");
    },
  );
});

describe("key visibility", () => {
  it("members see only their own keys; owners and admins see every key with its owner", async () => {
    const memberKey = await createKey({ client: clients.member, workspaceId }, "member-own");
    const memberList = await clients.member.get(`${base()}/api-keys`);
    expect(memberList.status).toBe(200);
    const memberKeys = bodyOf(memberList, apiKeysResponseSchema).apiKeys;
    const memberOwners = new Set(memberKeys.map((k) => k.owner.id));
    expect(memberOwners.size).toBe(1);
    expect(memberKeys.map((k) => k.id)).toContain(memberKey.apiKey.id);
    expect(memberKeys.map((k) => k.id)).not.toContain(bystanderKeyId);

    for (const actor of ["owner", "admin"] as const) {
      const list = await clients[actor].get(`${base()}/api-keys`);
      const listed = bodyOf(list, apiKeysResponseSchema).apiKeys;
      const ids = listed.map((k) => k.id);
      expect(ids).toContain(memberKey.apiKey.id);
      expect(ids).toContain(bystanderKeyId);
      const bystanders = listed.find((k) => k.id === bystanderKeyId);
      expect(bystanders?.owner).toEqual(bystander.user);
    }
  });

  it("a member reads and revokes their own key", async () => {
    const own = await createKey({ client: clients.member, workspaceId }, "member-revokes-own");
    expect((await clients.member.get(`${base()}/api-keys/${own.apiKey.id}`)).status).toBe(200);
    const revoked = await clients.member.delete(`${base()}/api-keys/${own.apiKey.id}`);
    expect(revoked.status).toBe(200);
    expect(bodyOf(revoked, revokeApiKeyResponseSchema).apiKey.revokedAt).not.toBeNull();
  });

  it("an outsider cannot learn whether a key id exists in a workspace", async () => {
    const known = await clients.outsider.get(`${base()}/api-keys/${bystanderKeyId}`);
    const unknown = await clients.outsider.get(`${base()}/api-keys/key_doesnotexist`);
    expectError(known, 403, "forbidden");
    expectSameRefusal(unknown, known);
  });
});
