/**
 * The API-key routes in-process (app.inject), each answer parsed with its contract schema: create
 * shows the raw key once, list/detail/rename/roll/revoke never show it again, whoami accepts the
 * key until the DELETE answered and refuses it after, and bad input gets a 400 naming the field.
 * (Who may call each route is http/authorization.test.ts; leak reports, leak-report-route.test.ts.)
 */
import {
  apiKeyDetailResponseSchema,
  apiKeyResponseSchema,
  apiKeysResponseSchema,
  createApiKeyResponseSchema,
  errorBodySchema,
  revokeApiKeyResponseSchema,
  rollApiKeyResponseSchema,
  whoamiResponseSchema,
} from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signedUpPerson, startTestApp, type TestApp, type TestPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";

let deps: TestDeps;
let http: TestApp;
let owner: TestPerson;
let keysPath: string;

beforeEach(async () => {
  deps = await createTestDeps();
  owner = await signedUpPerson(deps, "Owner");
  const workspace = await createWorkspace(deps, owner.user.id, "Acme");
  keysPath = `/api/v1/workspaces/${workspace.id}/api-keys`;
  http = await startTestApp(deps);
});

afterEach(async () => {
  await http.close();
  await deps.cleanup();
});

async function createKey(name: string) {
  const response = await http.call("POST", keysPath, { as: owner, body: { name } });
  expect(response.statusCode).toBe(201);
  return createApiKeyResponseSchema.parse(response.json());
}

function whoami(key: string) {
  return http.call("GET", "/api/v1/worker/whoami", { headers: { authorization: `Bearer ${key}` } });
}

describe("the API-key routes", () => {
  it("show the raw key in the create answer only", async () => {
    const created = await createKey("laptop");
    expect(created.key.startsWith("cogno_wk_")).toBe(true);
    expect(created.key.startsWith(created.apiKey.prefix)).toBe(true);

    const answers = [
      await http.call("GET", keysPath, { as: owner }),
      await http.call("GET", `${keysPath}/${created.apiKey.id}`, { as: owner }),
      await http.call("PATCH", `${keysPath}/${created.apiKey.id}`, { as: owner, body: { name: "desk" } }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain(created.key);
    }
    const listed = apiKeysResponseSchema.parse(answers[0]?.json());
    expect(listed.apiKeys.map((key) => key.id)).toEqual([created.apiKey.id]);
    expect(apiKeyDetailResponseSchema.parse(answers[1]?.json()).apiKey.name).toBe("laptop");
    expect(apiKeyResponseSchema.parse(answers[2]?.json()).apiKey.name).toBe("desk");
  });

  it("whoami accepts a key until its DELETE answered, then refuses it as revoked", async () => {
    const created = await createKey("ci-runner");
    const accepted = await whoami(created.key);
    expect(accepted.statusCode).toBe(200);
    expect(whoamiResponseSchema.parse(accepted.json()).apiKey.id).toBe(created.apiKey.id);

    const revoked = await http.call("DELETE", `${keysPath}/${created.apiKey.id}`, { as: owner });
    expect(revoked.statusCode).toBe(200);
    const body = revokeApiKeyResponseSchema.parse(revoked.json());
    expect(body.apiKey.revokedAt).not.toBeNull();
    expect(body.apiKey.revokedReason).toBe("revoked");
    expect(revoked.body).not.toContain(created.key);

    const refused = await whoami(created.key);
    expect(refused.statusCode).toBe(401);
    expect(errorBodySchema.parse(refused.json()).error.code).toBe("api_key_revoked");
    // Revoked keys leave the default list and show with ?state=all.
    const active = apiKeysResponseSchema.parse((await http.call("GET", keysPath, { as: owner })).json());
    expect(active.apiKeys).toEqual([]);
    const all = apiKeysResponseSchema.parse(
      (await http.call("GET", `${keysPath}?state=all`, { as: owner })).json(),
    );
    expect(all.apiKeys.map((key) => key.id)).toEqual([created.apiKey.id]);
  });

  it("roll answers a new raw key once; the old key keeps working for its grace window", async () => {
    const created = await createKey("fleet");
    const rolled = await http.call("POST", `${keysPath}/${created.apiKey.id}/roll`, {
      as: owner,
      body: { expiresInSeconds: 3_600 },
    });
    expect(rolled.statusCode).toBe(201);
    const body = rollApiKeyResponseSchema.parse(rolled.json());
    expect(body.apiKey.name).toBe("fleet");
    expect(body.key).not.toBe(created.key);
    expect(body.previous.id).toBe(created.apiKey.id);
    expect(body.previous.expiresAt).not.toBeNull();
    expect(body.previous.revokedReason).toBeNull();
    expect(rolled.body).not.toContain(created.key);

    expect((await whoami(created.key)).statusCode).toBe(200);
    expect((await whoami(body.key)).statusCode).toBe(200);
    const detail = apiKeyDetailResponseSchema.parse(
      (await http.call("GET", `${keysPath}/${created.apiKey.id}`, { as: owner })).json(),
    );
    expect(detail.roll).toBeDefined();
    expect(JSON.stringify(detail)).not.toContain(body.key);
  });

  it("refuses bad input with a 400 naming the field, and unknown keys with 404", async () => {
    for (const body of [{ name: "" }, { name: "x".repeat(101) }, { name: "\u0007\u001b" }, {}]) {
      const response = await http.call("POST", keysPath, { as: owner, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorBodySchema.parse(response.json()).error.message).toMatch(/name/);
    }
    const past = await http.call("POST", keysPath, {
      as: owner,
      body: { name: "old", expiresAt: "2020-01-01T00:00:00.000Z" },
    });
    expect(past.statusCode).toBe(400);
    expect(errorBodySchema.parse(past.json()).error.message).toMatch(/expiresAt/);

    const tooLong = await http.call("POST", `${keysPath}/key_unknown/roll`, {
      as: owner,
      body: { expiresInSeconds: 2_592_001 },
    });
    expect(tooLong.statusCode).toBe(400);
    for (const [method, url] of [
      ["GET", `${keysPath}/key_unknown`],
      ["DELETE", `${keysPath}/key_unknown`],
    ] as const) {
      const response = await http.call(method, url, { as: owner });
      expect(response.statusCode).toBe(404);
      expect(errorBodySchema.parse(response.json()).error.code).toBe("not_found");
    }
    // Nothing was created by the refused requests; control characters are stripped, not stored.
    const listed = apiKeysResponseSchema.parse((await http.call("GET", keysPath, { as: owner })).json());
    expect(listed.apiKeys).toEqual([]);
    const stripped = await createKey("a\u0007b\u009b");
    expect(stripped.apiKey.name).toBe("ab");
  });
});
