/**
 * Who may call the key life-cycle and audit routes of v1.1: owner, admin, member and a signed-in
 * outsider on another member's key, and no session at all. Each cell asserts the exact status and
 * error code, as e2e/server/authorization-matrix.test.ts does for the v1 routes.
 */
import { apiKeyResponseSchema, auditLogResponseSchema, rollApiKeyResponseSchema } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiClient,
  type ApiResponse,
  addMember,
  bodyOf,
  ApiClient as Client,
  createKey,
  type SignedInUser,
  signUp,
  signUpWithWorkspace,
} from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";

type Actor = "owner" | "admin" | "member" | "outsider";
const ACTORS: Actor[] = ["owner", "admin", "member", "outsider"];

let store: TestStore;
let server: RunningServer;
let workspaceId: string;
let clients: Record<Actor, ApiClient>;
let bystander: SignedInUser;

beforeAll(async () => {
  store = await createTestStore();
  server = await startServer({ store });
  const owner = await signUpWithWorkspace(server.url, "Owner");
  workspaceId = owner.workspaceId;
  const [admin, member, outsider, other] = await Promise.all([
    addMember(owner, "admin"),
    addMember(owner, "member"),
    signUp(server.url, "Outsider"),
    addMember(owner, "member", "Bystander"),
  ]);
  clients = { owner: owner.client, admin: admin.client, member: member.client, outsider: outsider.client };
  bystander = other;
});

afterAll(async () => {
  await server?.stop();
  await store?.cleanup();
});

const base = () => `/api/v1/workspaces/${workspaceId}`;
const anonymous = () => new Client(server.url);
const bystanderKey = async () =>
  (await createKey({ client: bystander.client, workspaceId }, "bystander-key")).apiKey.id;

interface RouteCase {
  route: string;
  run(client: ApiClient | undefined): Promise<ApiResponse>;
  expected: Record<Actor, number>;
  check?(response: ApiResponse): void;
}

const ROUTES: RouteCase[] = [
  {
    route: "PATCH another member's api-key",
    run: async (client = anonymous()) =>
      client.request("PATCH", `${base()}/api-keys/${await bystanderKey()}`, { name: "renamed" }),
    expected: { owner: 200, admin: 200, member: 404, outsider: 403 },
    check: (response) => expect(bodyOf(response, apiKeyResponseSchema).apiKey.name).toBe("renamed"),
  },
  {
    route: "POST another member's api-key roll",
    run: async (client = anonymous()) =>
      client.post(`${base()}/api-keys/${await bystanderKey()}/roll`, { expiresInSeconds: 60 }),
    expected: { owner: 201, admin: 201, member: 404, outsider: 403 },
    check: (response) =>
      expect(bodyOf(response, rollApiKeyResponseSchema).apiKey.owner.id).toBe(bystander.user.id),
  },
  {
    route: "GET audit-log",
    run: (client = anonymous()) => client.get(`${base()}/audit-log`),
    expected: { owner: 200, admin: 200, member: 403, outsider: 403 },
    check: (response) => expect(Array.isArray(bodyOf(response, auditLogResponseSchema).entries)).toBe(true),
  },
  {
    route: "GET audit-log as JSON lines",
    // Read raw: the test client would parse the body as one JSON document.
    async run(client = anonymous()) {
      const response = await fetch(`${server.url}${base()}/audit-log?format=ndjson`, {
        headers: client.sessionCookie ? { cookie: client.sessionCookie } : {},
      });
      const text = await response.text();
      const isError = response.headers.get("content-type")?.startsWith("application/json") ?? false;
      const body: unknown = isError ? JSON.parse(text) : text;
      return { status: response.status, headers: response.headers, body };
    },
    expected: { owner: 200, admin: 200, member: 403, outsider: 403 },
    check: (response) => expect(response.headers.get("content-type")).toContain("application/x-ndjson"),
  },
];

describe("authorization of the key life cycle and the audit log", () => {
  it.each(
    ROUTES.flatMap((route) =>
      ACTORS.map((actor) => [route.route, actor, route.expected[actor], route] as const),
    ),
  )("%s as %s answers %i", async (_route, actor, status, route) => {
    const response = await route.run(clients[actor]);
    if (status >= 400) {
      expectError(response, status, status === 404 ? "not_found" : "forbidden");
    } else {
      expect(response.status).toBe(status);
      route.check?.(response);
    }
  });

  it.each(ROUTES.map((route) => [route.route, route] as const))(
    "%s without a session answers 401 unauthenticated",
    async (_route, route) => {
      expectError(await route.run(undefined), 401, "unauthenticated");
    },
  );
});
