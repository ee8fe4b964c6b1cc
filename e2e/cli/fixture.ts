/**
 * One real server per test file, with a short heartbeat so presence changes show within seconds.
 * What the server answers is read with protocol's schemas, so every read here is a contract check.
 */
import {
  type CreateApiKeyResponse,
  createApiKeyResponseSchema,
  type RevokeApiKeyResponse,
  revokeApiKeyResponseSchema,
  type Worker,
  workersResponseSchema,
} from "@cogno/protocol";
import { type ApiClient, createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";

export const HEARTBEAT_INTERVAL_MS = 500;
export const KEY_REFUSED = 3;

export type WorkerRow = Worker;

export interface CliFixture {
  store: TestStore;
  server: RunningServer;
  owner: { client: ApiClient; workspaceId: string };
  createKey(name: string): Promise<CreateApiKeyResponse>;
  /** The revoke answer; `body` is read with the contract's schema when the status is 200. */
  revokeKey(keyId: string): Promise<{ status: number; body: RevokeApiKeyResponse }>;
  listWorkers(): Promise<WorkerRow[]>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export async function startCliFixture(heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS): Promise<CliFixture> {
  const store = await createTestStore();
  const env = { COGNO_HEARTBEAT_INTERVAL_MS: String(heartbeatIntervalMs) };
  let server = await startServer({ store, env });
  const owner = await signUpWithWorkspace(server.url, "Owner");
  const fixture: CliFixture = {
    store,
    server,
    owner,
    createKey: async (name) => createApiKeyResponseSchema.parse(await createKey(owner, name)),
    revokeKey: async (keyId) => {
      const response = await owner.client.delete(`/api/v1/workspaces/${owner.workspaceId}/api-keys/${keyId}`);
      if (response.status !== 200) throw new Error(`revoke: ${response.status}`);
      return { status: response.status, body: revokeApiKeyResponseSchema.parse(response.body) };
    },
    listWorkers: async () => {
      const response = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers`);
      if (response.status !== 200) throw new Error(`workers: ${response.status}`);
      return workersResponseSchema.parse(response.body).workers;
    },
    restartServer: async () => {
      const port = server.port;
      await server.stop("SIGTERM");
      server = await startServer({ store, env, port });
      fixture.server = server;
    },
    close: async () => {
      await server.stop("SIGTERM");
      await store.cleanup();
    },
  };
  return fixture;
}
