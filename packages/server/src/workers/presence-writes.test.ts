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

  it("a machine registering twice in one batch gets one row, owned by its later connection", async () => {
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: owner, name: "twice" });
    const writes = new PresenceWrites(deps.db);
    const first = registration(apiKey.id, 7);
    const second = { ...first, newId: "wkr_second", connectionId: "conn_second" };

    const answers = await Promise.all([writes.register(first), writes.register(second)]);
    expect(answers).toEqual([
      { workerId: "wkr_new7", created: true },
      { workerId: "wkr_new7", created: false },
    ]);
    const row = await deps.db
      .selectFrom("workers")
      .select(["id", "connection_id"])
      .where("machine_id", "=", "machine-7")
      .execute();
    expect(row).toEqual([{ id: "wkr_new7", connection_id: "conn_second" }]);
  });

  it("marks a batch of disconnects, stopped or dropped, only for the connection that owns each row", async () => {
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: owner, name: "leaving" });
    const writes = new PresenceWrites(deps.db);
    await Promise.all([1, 2, 3].map((index) => writes.register(registration(apiKey.id, index))));
    const at = deps.clock.now().toISOString();

    const changed = await Promise.all([
      writes.disconnect({ workerId: "wkr_new1", connectionId: "conn_1", at, stopped: false }),
      writes.disconnect({ workerId: "wkr_new2", connectionId: "conn_2", at, stopped: true }),
      // A late close of a connection the row no longer belongs to changes nothing.
      writes.disconnect({ workerId: "wkr_new3", connectionId: "conn_replaced", at, stopped: false }),
    ]);
    expect(changed).toEqual([true, true, false]);
    expect(await findWorkerRow(deps.db, "wkr_new1")).toMatchObject({ disconnected_at: at, stopped_at: null });
    expect(await findWorkerRow(deps.db, "wkr_new2")).toMatchObject({ disconnected_at: at, stopped_at: at });
    expect(await findWorkerRow(deps.db, "wkr_new3")).toMatchObject({
      disconnected_at: null,
      stopped_at: null,
    });
  });
});
