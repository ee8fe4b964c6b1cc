/**
 * Group commit of registrations on the real database (SQLite, or PostgreSQL with
 * COGNO_TEST_DATABASE=postgres): a burst is written in a few transactions, each caller learns what
 * its own register wrote, and the key guard holds per row inside a shared batch.
 */
import type { User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../apikeys/service.ts";
import { signUp } from "../auth/service.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { PresenceWrites } from "./presence-writes.ts";
import { createConnectedWorkers } from "./service.ts";
import { findWorkerRow, type Registration } from "./store.ts";

let deps: TestDeps;
let owner: User;
let workspaceId: string;

beforeEach(async () => {
  deps = await createTestDeps();
  owner = (await signUp(deps, { email: "olivia@example.com", password: "long enough", name: "Olivia" }, "t"))
    .user;
  workspaceId = (await createWorkspace(deps, owner.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

function registration(apiKeyId: string, index: number): Registration {
  return {
    newId: `wkr_new${index}`,
    workspaceId,
    ownerId: owner.id,
    apiKeyId,
    connectionId: `conn_${index}`,
    ip: "203.0.113.5",
    at: deps.clock.now().toISOString(),
    hello: {
      type: "register",
      machineId: `machine-${index}`,
      name: `box-${index}`,
      hostname: `box-${index}.local`,
      os: "linux",
      arch: "x64",
      version: "1.1.0",
    },
  };
}

describe("PresenceWrites.register (group commit)", () => {
  it("writes a burst of 300 together and answers each caller with its own row", async () => {
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: owner, name: "fleet" });
    const writes = new PresenceWrites(deps.db);
    const burst = Array.from({ length: 300 }, (_, index) => registration(apiKey.id, index));

    const answers = await Promise.all(burst.map((item) => writes.register(item)));
    expect(answers).toEqual(burst.map((item) => ({ workerId: item.newId, created: true })));
    const row = await findWorkerRow(deps.db, "wkr_new123");
    expect(row).toMatchObject({ name: "box-123", hostname: "box-123.local", api_key_id: apiKey.id });

    // The same machines again (a restart): the same rows, not new ones.
    const again = await Promise.all(
      burst.map((item, index) =>
        writes.register({ ...item, newId: `wkr_again${index}`, connectionId: `conn_b${index}` }),
      ),
    );
    expect(again).toEqual(burst.map((item) => ({ workerId: item.newId, created: false })));
  });

  it("in one batch, writes the rows of an active key and nothing for a revoked one", async () => {
    const active = await createApiKey(deps, { workspaceId, actor: owner, name: "active" });
    const revoked = await createApiKey(deps, { workspaceId, actor: owner, name: "revoked" });
    await revokeApiKey(deps, createConnectedWorkers(deps), {
      workspaceId,
      actor: owner,
      keyId: revoked.apiKey.id,
    });
    const writes = new PresenceWrites(deps.db);

    const answers = await Promise.all([
      writes.register(registration(active.apiKey.id, 1)),
      writes.register(registration(revoked.apiKey.id, 2)),
      writes.register(registration(active.apiKey.id, 3)),
    ]);
    expect(answers).toEqual([
      { workerId: "wkr_new1", created: true },
      undefined,
      { workerId: "wkr_new3", created: true },
    ]);
    expect(await findWorkerRow(deps.db, "wkr_new2")).toBeUndefined();
  });
});
