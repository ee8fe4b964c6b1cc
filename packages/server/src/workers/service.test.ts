/**
 * Fleet control from the web app: stop one worker, forget one, and the retention sweep, on the real
 * database with a clock the test moves. Worker rows are written as the gateway writes them.
 */
import type { User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../apikeys/service.ts";
import { type UserActor, userActor } from "../audit/service.ts";
import { listAuditEntries } from "../audit/store.ts";
import { signUp } from "../auth/service.ts";
import { codeOf } from "../testing/error-code.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { acceptInvitation, createInvitation } from "../workspaces/invitation-service.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { startWorkerRetention } from "./retention.ts";
import {
  createConnectedWorkers,
  disconnectWorker,
  forgetUnseenWorkers,
  forgetWorker,
  listWorkers,
} from "./service.ts";
import { onlineCutoff } from "./status.ts";
import {
  deleteWorkerUnlessOnline,
  findWorkerRow,
  markWorkerStopped,
  upsertWorkerOnRegister,
  writeHeartbeats,
} from "./store.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
let deps: TestDeps;
let owner: UserActor & { user: User };
let workspaceId: string;
let people = 0;
let machines = 0;

async function person(name: string): Promise<UserActor & { user: User }> {
  people += 1;
  const { user } = await signUp(
    deps,
    { email: `${name.toLowerCase()}${people}@example.com`, password: "long enough", name },
    `client-${people}`,
  );
  return { ...userActor(user), user };
}

async function join(role: "admin" | "member", name: string) {
  const { token } = await createInvitation(deps, workspaceId, owner, { role });
  const joiner = await person(name);
  await acceptInvitation(deps, token, joiner);
  return joiner;
}

/** A machine registered with a new key of `holder`, as the gateway records it; returns ids. */
async function registerWorker(holder: UserActor & { user: User }, connectionId = `conn_${machines + 1}`) {
  machines += 1;
  const { apiKey } = await createApiKey(deps, { workspaceId, actor: holder.user, name: `key-${machines}` });
  const workerId = await upsertWorkerOnRegister(deps.db, {
    newId: `wkr_test${machines}`,
    workspaceId,
    ownerId: holder.id,
    apiKeyId: apiKey.id,
    connectionId,
    ip: "203.0.113.5",
    at: deps.clock.now().toISOString(),
    hello: {
      type: "register",
      machineId: `machine-${machines}`,
      name: `box-${machines}`,
      hostname: `box-${machines}.local`,
      os: "linux",
      arch: "x64",
      version: "1.1.0",
    },
  });
  if (workerId === undefined) throw new Error("the key was not active");
  return { workerId, keyId: apiKey.id, connectionId };
}

async function statusOf(workerId: string) {
  const { workers } = await listWorkers(deps, { workspaceId, actor: owner.user, limit: 100 });
  return workers.find((worker) => worker.id === workerId)?.status;
}

async function auditOf(action: "worker.disconnected" | "worker.forgotten") {
  return (
    await listAuditEntries(deps.db, { workspaceId, action, actor: undefined, before: undefined, limit: 50 })
  ).entries;
}

beforeEach(async () => {
  deps = await createTestDeps();
  owner = { ...(await person("Olivia")), ip: "192.0.2.1", userAgent: "browser/1" };
  workspaceId = (await createWorkspace(deps, owner.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

describe("disconnectWorker", () => {
  it("marks the worker stopped in the database, asks the socket's replica to stop it, and audits who", async () => {
    const { workerId, keyId } = await registerWorker(owner);
    expect(await statusOf(workerId)).toBe("online");
    deps.events.length = 0;
    const worker = await disconnectWorker(deps, { workspaceId, actor: owner, workerId });
    expect(worker).toMatchObject({ id: workerId, status: "stopped" });
    expect(await statusOf(workerId)).toBe("stopped");
    const row = await findWorkerRow(deps.db, workerId);
    expect(row?.stopped_at).toBe(deps.clock.now().toISOString());
    expect(row?.disconnected_at).toBe(deps.clock.now().toISOString());
    expect(deps.events).toEqual([
      { type: "worker.stop_requested", workspaceId, workerId, by: { id: owner.id, name: "Olivia" } },
      { type: "worker.updated", workspaceId, workerId },
    ]);
    expect(await auditOf("worker.disconnected")).toEqual([
      expect.objectContaining({
        actor: { type: "user", id: owner.id, name: "Olivia" },
        target: { type: "worker", id: workerId, name: expect.stringMatching(/^box-/) },
        ip: "192.0.2.1",
        userAgent: "browser/1",
      }),
    ]);
    // The key stays valid: no key change was logged.
    expect(deps.keyChangesSeen).toEqual([]);
    expect(await createConnectedWorkers(deps).listRecentWithKey(workspaceId, keyId)).toHaveLength(1);
  });

  it("stays stopped while the old socket still heartbeats; a second stop is asked again but audited once", async () => {
    const { workerId, connectionId } = await registerWorker(owner);
    await disconnectWorker(deps, { workspaceId, actor: owner, workerId });
    deps.clock.advance(5_000);
    await writeHeartbeats(deps.db, [{ workerId, connectionId, at: deps.clock.now().toISOString() }]);
    expect(await statusOf(workerId)).toBe("stopped");
    deps.events.length = 0;
    expect((await disconnectWorker(deps, { workspaceId, actor: owner, workerId })).status).toBe("stopped");
    expect(deps.events.map((event) => event.type)).toEqual(["worker.stop_requested", "worker.updated"]);
    expect(await auditOf("worker.disconnected")).toHaveLength(1);
  });

  it("regression: a stop decided on an older connection does not mark the machine's new connection", async () => {
    const { workerId } = await registerWorker(owner, "conn_old");
    const row = await findWorkerRow(deps.db, workerId);
    await deps.db
      .updateTable("workers")
      .set({ connection_id: "conn_new" })
      .where("id", "=", workerId)
      .execute();
    expect(
      await markWorkerStopped(deps.db, {
        workerId,
        connectionId: "conn_old",
        at: deps.clock.now().toISOString(),
      }),
    ).toBe(false);
    expect((await findWorkerRow(deps.db, workerId))?.stopped_at).toBe(row?.stopped_at);
    expect(await statusOf(workerId)).toBe("online");
  });

  it("answers a worker whose key was revoked as it is: it was cut off already", async () => {
    const { workerId, keyId } = await registerWorker(owner);
    await revokeApiKey(deps, createConnectedWorkers(deps), { workspaceId, actor: owner.user, keyId });
    expect((await disconnectWorker(deps, { workspaceId, actor: owner, workerId })).status).toBe("revoked");
    expect(await auditOf("worker.disconnected")).toEqual([]);
  });
});

describe("who may stop and forget a worker", () => {
  it("owners and admins act on any worker, members on workers of their own keys (404 otherwise)", async () => {
    const admin = await join("admin", "Ada");
    const mia = await join("member", "Mia");
    const max = await join("member", "Max");
    const outsider = await person("Otto");
    const miasWorker = (await registerWorker(mia)).workerId;
    const act = (actor: UserActor, workerId: string) =>
      codeOf(disconnectWorker(deps, { workspaceId, actor, workerId }));
    expect(await act(max, miasWorker)).toBe("not_found");
    expect(await act(outsider, miasWorker)).toBe("forbidden");
    expect(await act(mia, "wkr_nothing")).toBe("not_found");
    expect(await act(mia, miasWorker)).toBe("ok");
    expect(await act(admin, miasWorker)).toBe("ok");
    expect(await act(owner, miasWorker)).toBe("ok");
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: max, workerId: miasWorker }))).toBe(
      "not_found",
    );
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: mia, workerId: miasWorker }))).toBe("ok");
    const adminsTarget = (await registerWorker(mia)).workerId;
    await disconnectWorker(deps, { workspaceId, actor: mia, workerId: adminsTarget });
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: admin, workerId: adminsTarget }))).toBe(
      "ok",
    );
  });

  it("answers not found for a worker of another workspace, even to its owner", async () => {
    const { workerId } = await registerWorker(owner);
    const other = (await createWorkspace(deps, owner.id, "Other")).id;
    expect(await codeOf(disconnectWorker(deps, { workspaceId: other, actor: owner, workerId }))).toBe(
      "not_found",
    );
    expect(await codeOf(forgetWorker(deps, { workspaceId: other, actor: owner, workerId }))).toBe(
      "not_found",
    );
  });
});

describe("forgetWorker", () => {
  it("refuses an online worker with worker_online, and forgets it once it is offline by the status rule", async () => {
    const { workerId } = await registerWorker(owner);
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: owner, workerId }))).toBe("worker_online");
    deps.clock.advance(3 * deps.config.heartbeatIntervalMs - 1);
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: owner, workerId }))).toBe("worker_online");
    deps.clock.advance(2);
    expect(await statusOf(workerId)).toBe("offline");
    deps.events.length = 0;
    await forgetWorker(deps, { workspaceId, actor: owner, workerId });
    expect(await findWorkerRow(deps.db, workerId)).toBeUndefined();
    expect(deps.events).toEqual([{ type: "worker.removed", workspaceId, workerId }]);
    expect(await auditOf("worker.forgotten")).toEqual([
      expect.objectContaining({
        actor: { type: "user", id: owner.id, name: "Olivia" },
        target: expect.objectContaining({ type: "worker", id: workerId }),
        ip: "192.0.2.1",
      }),
    ]);
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: owner, workerId }))).toBe("not_found");
  });

  it("regression: the delete itself re-checks online, so a machine back between check and delete stays", async () => {
    const { workerId, connectionId } = await registerWorker(owner);
    deps.clock.advance(3 * deps.config.heartbeatIntervalMs + 1);
    const now = deps.clock.now();
    const guard = {
      workspaceId,
      workerId,
      now: now.toISOString(),
      onlineCutoff: onlineCutoff(now, deps.config.heartbeatIntervalMs),
    };
    // What the service read a moment ago (offline) is no longer true: the machine heartbeats.
    await writeHeartbeats(deps.db, [{ workerId, connectionId, at: now.toISOString() }]);
    expect(await deleteWorkerUnlessOnline(deps.db, guard)).toBe(false);
    expect(await findWorkerRow(deps.db, workerId)).toBeDefined();
    deps.clock.advance(3 * deps.config.heartbeatIntervalMs + 1);
    const later = deps.clock.now();
    expect(
      await deleteWorkerUnlessOnline(deps.db, {
        ...guard,
        now: later.toISOString(),
        onlineCutoff: onlineCutoff(later, deps.config.heartbeatIntervalMs),
      }),
    ).toBe(true);
  });

  it("forgets a stopped worker, and a worker of a revoked key, at once", async () => {
    const stopped = (await registerWorker(owner)).workerId;
    await disconnectWorker(deps, { workspaceId, actor: owner, workerId: stopped });
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: owner, workerId: stopped }))).toBe("ok");
    const revoked = await registerWorker(owner);
    await revokeApiKey(deps, createConnectedWorkers(deps), {
      workspaceId,
      actor: owner.user,
      keyId: revoked.keyId,
    });
    expect(await codeOf(forgetWorker(deps, { workspaceId, actor: owner, workerId: revoked.workerId }))).toBe(
      "ok",
    );
  });
});

describe("retention", () => {
  it("forgets workers unseen for COGNO_WORKER_RETENTION_DAYS, announces each and audits it as the system", async () => {
    const old = (await registerWorker(owner)).workerId;
    deps.clock.advance(DAY_MS);
    const recent = await registerWorker(owner);
    deps.clock.advance(29 * DAY_MS);
    // `old` was last seen exactly 30 days ago: not yet past the period.
    expect(await forgetUnseenWorkers(deps)).toBe(0);
    deps.clock.advance(1);
    deps.events.length = 0;
    expect(await forgetUnseenWorkers(deps)).toBe(1);
    expect(await findWorkerRow(deps.db, old)).toBeUndefined();
    expect(await findWorkerRow(deps.db, recent.workerId)).toBeDefined();
    expect(deps.events).toEqual([{ type: "worker.removed", workspaceId, workerId: old }]);
    expect(await auditOf("worker.forgotten")).toEqual([
      expect.objectContaining({
        actor: { type: "system", id: null, name: "Cogno" },
        target: expect.objectContaining({ id: old }),
        details: { reason: "retention", retentionDays: 30 },
      }),
    ]);
  });

  it("counts any sign of life: a heartbeat keeps a worker", async () => {
    const { workerId, connectionId } = await registerWorker(owner);
    deps.clock.advance(20 * DAY_MS);
    await writeHeartbeats(deps.db, [{ workerId, connectionId, at: deps.clock.now().toISOString() }]);
    deps.clock.advance(20 * DAY_MS);
    expect(await forgetUnseenWorkers(deps)).toBe(0);
    deps.clock.advance(10 * DAY_MS + 1);
    expect(await forgetUnseenWorkers(deps)).toBe(1);
  });

  it("runs periodically once started, and stops", async () => {
    const { workerId } = await registerWorker(owner);
    deps.clock.advance(31 * DAY_MS);
    const retention = startWorkerRetention(deps, 20);
    try {
      for (let i = 0; i < 200 && (await findWorkerRow(deps.db, workerId)) !== undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await findWorkerRow(deps.db, workerId)).toBeUndefined();
    } finally {
      await retention.stop();
    }
  });
});

describe("retention settings", () => {
  it("follows a shorter COGNO_WORKER_RETENTION_DAYS", async () => {
    await deps.cleanup();
    deps = await createTestDeps({ COGNO_WORKER_RETENTION_DAYS: "2" });
    owner = await person("Olivia");
    workspaceId = (await createWorkspace(deps, owner.id, "Acme")).id;
    const { workerId } = await registerWorker(owner);
    deps.clock.advance(2 * DAY_MS + 1);
    expect(await forgetUnseenWorkers(deps)).toBe(1);
    expect(await findWorkerRow(deps.db, workerId)).toBeUndefined();
  });
});
