import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import {
  KEY_CHANGE_RETENTION_MS,
  pruneKeyChanges,
  readKeyChangesAfter,
  recordKeyChange,
} from "./key-change-log.ts";
import { liveReplicas, pruneDeadReplicas, releaseLease, renewLease } from "./lease-store.ts";

let deps: TestDeps;

beforeEach(async () => {
  deps = await createTestDeps();
});

afterEach(async () => {
  await deps.cleanup();
});

const startedAt = "2026-06-01T12:00:00.000Z";

function renew(replicaId: string, applied: number[], leaseMs = 2_000) {
  const highestApplied = Math.max(0, ...applied);
  return renewLease(deps.db, {
    replicaId,
    startedAt,
    leaseMs,
    highestApplied,
    floor: 0,
    appliedAboveFloor: applied,
  });
}

function change(at = new Date().toISOString()) {
  return recordKeyChange(deps.db, { keyIds: ["key_a"], change: "revoked", reason: "revoked", at });
}

describe("replica leases", () => {
  it("renews a lease that other replicas then see as live, by the database's clock", async () => {
    expect(await renew("rpl_a", [])).toBe(true);
    expect(await renew("rpl_b", [])).toBe(true);
    const seenByA = await liveReplicas(deps.db, "rpl_a");
    expect(seenByA.map((row) => row.replicaId)).toEqual(["rpl_b"]);
    const [b] = seenByA;
    const left = (b?.leaseExpiresMs ?? 0) - (b?.databaseNowMs ?? 0);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(2_000);
    // Within a second of this machine's clock (the same clock here): the unit is milliseconds.
    expect(Math.abs((b?.databaseNowMs ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("refuses to renew while the log holds a change the replica has not applied", async () => {
    const first = await change();
    const second = await change();
    expect(await renew("rpl_a", [first.seq])).toBe(false);
    expect(await liveReplicas(deps.db, "rpl_other")).toEqual([]);
    expect(await renew("rpl_a", [first.seq, second.seq])).toBe(true);
    expect((await liveReplicas(deps.db, "rpl_other")).map((row) => row.replicaId)).toEqual(["rpl_a"]);
    const third = await change();
    // A renewal of a live lease is refused too: the old expiry stands, and runs out.
    const before = await liveReplicas(deps.db, "rpl_other");
    expect(await renew("rpl_a", [first.seq, second.seq])).toBe(false);
    const after = await liveReplicas(deps.db, "rpl_other");
    expect(after[0]?.leaseExpiresMs).toBe(before[0]?.leaseExpiresMs);
    expect(await renew("rpl_a", [first.seq, second.seq, third.seq])).toBe(true);
  });

  it("ignores what lies at or below the floor (applied before the window)", async () => {
    const old = await change();
    const renewed = await renewLease(deps.db, {
      replicaId: "rpl_a",
      startedAt,
      leaseMs: 2_000,
      highestApplied: old.seq,
      floor: old.seq,
      appliedAboveFloor: [],
    });
    expect(renewed).toBe(true);
  });

  it("does not count a lease that has run out, and prunes it once long dead", async () => {
    expect(await renew("rpl_gone", [], -120_000)).toBe(true);
    expect(await renew("rpl_recent", [], -1_000)).toBe(true);
    expect(await liveReplicas(deps.db, "rpl_a")).toEqual([]);
    expect(await pruneDeadReplicas(deps.db, 60_000)).toBe(1);
    const rows = await deps.db.selectFrom("replicas").select("id").execute();
    expect(rows.map((row) => row.id)).toEqual(["rpl_recent"]);
  });

  it("releases a lease when the replica stops", async () => {
    await renew("rpl_b", []);
    await releaseLease(deps.db, "rpl_b");
    expect(await liveReplicas(deps.db, "rpl_a")).toEqual([]);
  });
});

describe("the key-change log", () => {
  it("reads entries after a floor in order, and prunes those past retention", async () => {
    const now = Date.now();
    const old = await change(new Date(now - KEY_CHANGE_RETENTION_MS - 1_000).toISOString());
    const recent = await change(new Date(now).toISOString());
    expect((await readKeyChangesAfter(deps.db, 0)).map((entry) => entry.seq)).toEqual([old.seq, recent.seq]);
    expect(await readKeyChangesAfter(deps.db, old.seq)).toEqual([
      { seq: recent.seq, keyIds: ["key_a"], change: "revoked", reason: "revoked" },
    ]);
    await pruneKeyChanges(deps.db, new Date(now - KEY_CHANGE_RETENTION_MS).toISOString());
    expect((await readKeyChangesAfter(deps.db, 0)).map((entry) => entry.seq)).toEqual([recent.seq]);
  });
});
