/**
 * The lease protocol between real replicas' feeds, in one process, on a real PostgreSQL (each feed
 * has its own listening connection, as each replica would). PostgreSQL only: SQLite has one server.
 */
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../logging/logger.ts";
import { asAdministrator } from "../testing/scratch-postgres.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { recordKeyChange } from "./key-change-log.ts";
import type { KeyChange, KeyChangeFeed, KeyChangeObservation } from "./key-changes.ts";
import { renewLease } from "./lease-store.ts";
import { openPostgresChannel, type PostgresChannel } from "./postgres-channel.ts";
import { createPostgresKeyChangeFeed } from "./postgres-key-changes.ts";

const timing = { leaseMs: 800, renewEveryMs: 200, marginMs: 50 };
const log = createLogger("silent", new Writable({ write: (_chunk, _encoding, done) => done() }));

let deps: TestDeps;
const opened: { channel: PostgresChannel; feed: KeyChangeFeed }[] = [];

async function replica(id: string) {
  const url = deps.config.databaseUrl ?? "";
  const channel = await openPostgresChannel(url, log);
  const feed = await createPostgresKeyChangeFeed(channel, deps.db, id, log, { timing });
  const seen: KeyChange[] = [];
  feed.subscribe((change) => seen.push(change));
  opened.push({ channel, feed });
  return { channel, feed, seen };
}

async function commitChange(keyId: string): Promise<KeyChange> {
  return recordKeyChange(deps.db, {
    keyIds: [keyId],
    change: "revoked",
    reason: "revoked",
    at: new Date().toISOString(),
  });
}

function until(condition: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (condition()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > 10_000) {
        clearInterval(poll);
        reject(new Error(`never: ${what}`));
      }
    }, 10);
  });
}

describe.runIf(process.env.COGNO_TEST_DATABASE === "postgres")("the key-change feed across replicas", () => {
  beforeEach(async () => {
    deps = await createTestDeps();
  });

  afterEach(async () => {
    for (const { feed, channel } of opened.splice(0)) {
      await feed.close();
      await channel.close();
    }
    await deps.cleanup();
  });

  it("resolves an announcement only after every live replica applied it, and says who acknowledged", async () => {
    const a = await replica("rpl_a");
    const b = await replica("rpl_b");
    const c = await replica("rpl_c");
    expect(a.feed.memoryTrusted()).toBe(true);
    const observed: KeyChangeObservation[] = [];
    a.feed.observe((observation) => observed.push(observation));
    const lags: KeyChangeObservation[] = [];
    b.feed.observe((observation) => lags.push(observation));

    const change = await commitChange("key_x");
    await a.feed.announce(change);
    // Resolved means applied everywhere: no waiting here.
    expect(a.seen.map((seen) => seen.seq)).toEqual([change.seq]);
    expect(b.seen.map((seen) => seen.seq)).toEqual([change.seq]);
    expect(c.seen.map((seen) => seen.seq)).toEqual([change.seq]);
    const announced = observed.find((observation) => observation.kind === "announced");
    expect(
      announced?.kind === "announced" && announced.acknowledged.map((ack) => ack.replicaId).sort(),
    ).toEqual(["rpl_b", "rpl_c"]);
    expect(announced?.kind === "announced" && announced.lapsed).toEqual([]);
    expect(lags).toEqual([{ kind: "applied", seq: change.seq, origin: "rpl_a", lagMs: expect.any(Number) }]);
  });

  it("waits for a silent replica's lease to run out, then resolves", async () => {
    const a = await replica("rpl_a");
    // A replica that renewed and then died: it will never acknowledge.
    await renewLease(deps.db, {
      replicaId: "rpl_dead",
      startedAt: new Date().toISOString(),
      leaseMs: timing.leaseMs,
      highestApplied: 0,
      floor: 0,
      appliedAboveFloor: [],
    });
    const observed: KeyChangeObservation[] = [];
    a.feed.observe((observation) => observed.push(observation));
    await a.feed.announce(await commitChange("key_y"));
    const announced = observed.find((observation) => observation.kind === "announced");
    expect(announced?.kind === "announced" && announced.lapsed).toEqual(["rpl_dead"]);
    expect(announced?.kind === "announced" && announced.acknowledged).toEqual([]);
  });

  it("stops trusting memory when its listening connection drops, and catches up from the log before trusting again", async () => {
    const a = await replica("rpl_a");
    const b = await replica("rpl_b");
    expect(b.feed.memoryTrusted()).toBe(true);
    let trustedWhileBehind = false;
    const missed = { seq: -1 };
    const watch = setInterval(() => {
      if (b.feed.memoryTrusted() && missed.seq > 0 && !b.seen.some((seen) => seen.seq === missed.seq)) {
        trustedWhileBehind = true;
      }
    }, 1);
    // Every listening connection is ended, as a database restart would; A stays up to announce.
    const database = new URL(deps.config.databaseUrl ?? "").pathname.slice(1);
    await asAdministrator(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND query ILIKE 'LISTEN%'`,
    );
    await until(() => !b.feed.memoryTrusted(), "B stops trusting memory");
    // Committed while B cannot hear; the NOTIFY of its announcement is lost to B.
    const change = await commitChange("key_z");
    missed.seq = change.seq;
    await a.feed.announce(change);
    await until(() => b.feed.memoryTrusted(), "B trusts memory again");
    clearInterval(watch);
    expect(b.seen.map((seen) => seen.seq)).toContain(change.seq);
    expect(trustedWhileBehind).toBe(false);
  });
});
