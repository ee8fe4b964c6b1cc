/** An acknowledged create survives SIGKILL: restarted on the same store, the key is listed and authenticates. */
import {
  apiKeysResponseSchema,
  createApiKeyResponseSchema,
  errorBodySchema,
  whoamiResponseSchema,
} from "@cogno/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, bearer, bodyOf, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";

const running: RunningServer[] = [];
const stores: TestStore[] = [];

afterAll(async () => {
  for (const server of running) await server.stop("SIGKILL");
  for (const store of stores) await store.cleanup();
});

describe("crash safety", () => {
  it("a key acknowledged just before SIGKILL is listed and authenticates after a restart", async () => {
    const store = await createTestStore();
    stores.push(store);
    const first = await startServer({ store });
    running.push(first);
    const owner = await signUpWithWorkspace(first.url);
    const response = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
      name: "survivor",
    });
    expect(response.status).toBe(201);
    const acknowledged = bodyOf(response, createApiKeyResponseSchema);
    // Kill at once, with no chance to flush or close anything.
    await first.stop("SIGKILL");
    expect(first.process.signalCode).toBe("SIGKILL");

    const second = await startServer({ store });
    running.push(second);
    const client = new ApiClient(second.url);
    const login = await client.post("/api/v1/auth/login", {
      email: owner.user.email,
      password: owner.password,
    });
    expect(login.status).toBe(200);
    const listed = await client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys`);
    expect(listed.status).toBe(200);
    expect(bodyOf(listed, apiKeysResponseSchema).apiKeys).toEqual([acknowledged.apiKey]);

    const whoami = await client.request("GET", "/api/v1/worker/whoami", undefined, bearer(acknowledged.key));
    expect(whoami.status).toBe(200);
    expect(bodyOf(whoami, whoamiResponseSchema).apiKey.id).toBe(acknowledged.apiKey.id);
  });

  it("a revocation acknowledged just before SIGKILL still holds after a restart", async () => {
    const store = await createTestStore();
    stores.push(store);
    const first = await startServer({ store });
    running.push(first);
    const owner = await signUpWithWorkspace(first.url);
    const created = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, {
      name: "doomed",
    });
    const doomed = bodyOf(created, createApiKeyResponseSchema);
    const revoked = await owner.client.delete(
      `/api/v1/workspaces/${owner.workspaceId}/api-keys/${doomed.apiKey.id}`,
    );
    expect(revoked.status).toBe(200);
    await first.stop("SIGKILL");

    const second = await startServer({ store });
    running.push(second);
    const whoami = await new ApiClient(second.url).request(
      "GET",
      "/api/v1/worker/whoami",
      undefined,
      bearer(doomed.key),
    );
    expect(whoami.status).toBe(401);
    expect(bodyOf(whoami, errorBodySchema).error.code).toBe("api_key_revoked");
  });
});
