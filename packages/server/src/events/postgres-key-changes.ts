/**
 * The key-change feed across PostgreSQL replicas: Chubby-style invalidation with leases.
 *
 * Each replica holds a lease (lease-store.ts), renewed every second and lasting two. Renewing reads
 * the `key_changes` log first and applies what it had not applied, and the renewal itself is refused
 * while the log holds a change this replica has not applied: a live lease therefore means "this
 * replica hears every announcement, or has read it from the log". While its own lease is current
 * (and its listening connection up, and caught up since it last reconnected) a replica serves keys
 * it verified earlier from memory (`memoryTrusted`).
 *
 * `announce(change)`, for a change already committed with its log entry: apply it here, read which
 * other replicas hold a live lease, NOTIFY the change, and resolve once each of them has
 * acknowledged (it applied the change: cache dropped the key, sockets terminated) or its lease has
 * run out. A replica that acknowledges NOTIFYs an ack carrying its id and the sequence numbers.
 * A replica whose lease is read after the commit either appears in that read (and is waited on) or
 * renews later, which it can only do once it has applied the change.
 */
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { z } from "zod";
import type { Database } from "../db/schema.ts";
import { Acknowledgements, type Settled } from "./acknowledgements.ts";
import { ListenerSet } from "./bus.ts";
import {
  KEY_CHANGE_RETENTION_MS,
  latestKeyChange,
  pruneKeyChanges,
  readKeyChangesAfter,
} from "./key-change-log.ts";
import type { KeyChange, KeyChangeFeed, KeyChangeObservation } from "./key-changes.ts";
import { DEFAULT_LEASE_TIMING, type LeaseTiming, leaseDeadline, OwnLease, RecentSeqs } from "./lease.ts";
import { liveReplicas, pruneDeadReplicas, releaseLease, renewLease } from "./lease-store.ts";
import { safeJson } from "./postgres-bus.ts";
import type { PostgresChannel } from "./postgres-channel.ts";

const CHANNEL = "cogno_key_changes";
const ACK_CHANNEL = "cogno_key_acks";
/** Old log entries and dead leases are pruned about this often (by every replica: it is idempotent). */
const PRUNE_EVERY_MS = 60_000;
/** A lease that ran out this long ago belongs to a replica that is gone. */
const DEAD_LEASE_MS = 60_000;

const announcementSchema = z.object({
  origin: z.string().max(100),
  seq: z.number().int(),
  keyIds: z.array(z.string().max(100)).max(200),
  change: z.enum(["revoked", "updated"]),
  reason: z.enum(["revoked", "expired", "leaked", "member_removed", "rolled"]).nullable(),
  /** The announcer's wall clock when it sent this, for observing lag across replicas. */
  sentAt: z.number(),
});

const ackSchema = z.object({
  replica: z.string().max(100),
  seqs: z.array(z.number().int()).max(500),
});

export interface PostgresKeyChangeOptions {
  timing?: LeaseTiming;
  /** Monotonic clock, in ms. */
  now?: () => number;
}

export async function createPostgresKeyChangeFeed(
  channel: PostgresChannel,
  db: Kysely<Database>,
  replicaId: string,
  log: Logger,
  options: PostgresKeyChangeOptions = {},
): Promise<KeyChangeFeed> {
  const timing = options.timing ?? DEFAULT_LEASE_TIMING;
  const now = options.now ?? (() => performance.now());
  const startedAt = new Date().toISOString();
  const listeners = new ListenerSet<KeyChange>((error) =>
    log.error({ err: error }, "key change listener failed"),
  );
  const observers = new ListenerSet<KeyChangeObservation>((error) =>
    log.warn({ err: error }, "key change observer failed"),
  );
  const lease = new OwnLease(timing);
  const applied = new RecentSeqs(await latestKeyChange(db));
  const acknowledgements = new Acknowledgements();
  const settlers = new Map<number, ((settled: Settled) => void)[]>();
  /** False from a lost listening connection until the log has been read again after reconnecting. */
  let caughtUp = true;
  let closed = false;
  let renewing: Promise<void> | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let lastPrune = 0;

  /** Applies a change once; returns whether it was news. */
  const apply = (change: KeyChange): boolean => {
    if (!applied.isNew(change.seq)) return false;
    listeners.deliver(change);
    applied.add(change.seq);
    return true;
  };

  const acknowledge = (seqs: number[]): void => {
    if (seqs.length === 0) return;
    channel
      .notifyNow(ACK_CHANNEL, JSON.stringify({ replica: replicaId, seqs }))
      .catch((error: unknown) =>
        log.warn({ err: error }, "could not acknowledge key changes; the announcer waits for the lease"),
      );
  };

  const settle = (settledList: Settled[]): void => {
    for (const settled of settledList) {
      for (const resolve of settlers.get(settled.seq)?.splice(0, 1) ?? []) resolve(settled);
      if (settlers.get(settled.seq)?.length === 0) settlers.delete(settled.seq);
    }
    scheduleExpiry();
  };

  const scheduleExpiry = (): void => {
    if (expiryTimer) clearTimeout(expiryTimer);
    expiryTimer = undefined;
    const next = acknowledgements.nextDeadline();
    if (next === undefined) return;
    expiryTimer = setTimeout(() => settle(acknowledgements.expire(now())), Math.max(0, next - now()) + 1);
    expiryTimer.unref();
  };

  await channel.listen(CHANNEL, (payload) => {
    const parsed = announcementSchema.safeParse(safeJson(payload));
    if (!parsed.success) {
      log.warn("ignored a malformed key change notification");
      return;
    }
    const { origin, sentAt, ...change } = parsed.data;
    if (origin === replicaId) return;
    if (apply(change)) {
      observers.deliver({
        kind: "applied",
        seq: change.seq,
        origin,
        lagMs: Math.max(0, Date.now() - sentAt),
      });
    }
    // Acknowledged even when applied before (from the log): the announcer may still be waiting.
    acknowledge([change.seq]);
  });
  await channel.listen(ACK_CHANNEL, (payload) => {
    const parsed = ackSchema.safeParse(safeJson(payload));
    if (!parsed.success || parsed.data.replica === replicaId) return;
    settle(acknowledgements.acknowledge(parsed.data.replica, parsed.data.seqs, now()));
  });
  channel.onDisconnect(() => {
    caughtUp = false;
    lease.lapse();
  });
  channel.onReconnect(() => {
    void renewNow();
  });

  /** Reads the log, applies and acknowledges what is new, then renews the lease if nothing is left. */
  const renew = async (): Promise<void> => {
    // Without a listening connection announcements are missed: let the lease run out instead.
    if (!channel.listening()) return;
    const sentAt = now();
    const news: number[] = [];
    for (const change of await readKeyChangesAfter(db, applied.floor)) {
      if (apply(change)) news.push(change.seq);
    }
    acknowledge(news);
    const renewed = await renewLease(db, {
      replicaId,
      startedAt,
      leaseMs: timing.leaseMs,
      highestApplied: applied.highest,
      floor: applied.floor,
      appliedAboveFloor: applied.appliedAboveFloor(),
    });
    if (!renewed) {
      // A change committed between the read and the renewal: read again at once.
      renewTimer = setTimeout(() => void renewNow(), 10);
      return;
    }
    if (!channel.listening()) return; // lost while renewing: it may have missed a notification
    const renewedAt = now();
    if (lease.validUntil > 0 && !lease.current(renewedAt)) {
      // Said once per lapse: every request read the database meanwhile, which an operator should know.
      log.warn(
        { lapsedForMs: Math.round(renewedAt - lease.validUntil), renewalMs: Math.round(renewedAt - sentAt) },
        "the replica lease had lapsed (the database answered slowly or not at all); keys were checked in the database meanwhile",
      );
    }
    lease.renewed(sentAt);
    caughtUp = true;
    if (sentAt - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = sentAt;
      const before = new Date(Date.now() - KEY_CHANGE_RETENTION_MS).toISOString();
      await pruneKeyChanges(db, before);
      await pruneDeadReplicas(db, DEAD_LEASE_MS);
    }
  };

  const renewNow = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (renewing !== undefined) return renewing;
    if (renewTimer) clearTimeout(renewTimer);
    renewTimer = undefined;
    renewing = renew()
      .catch((error: unknown) => log.warn({ err: error }, "could not renew the replica lease"))
      .finally(() => {
        renewing = undefined;
        if (!closed && renewTimer === undefined) {
          renewTimer = setTimeout(() => void renewNow(), timing.renewEveryMs);
          renewTimer.unref();
        }
      });
    return renewing;
  };

  await renewNow();

  return {
    async announce(change) {
      apply(change);
      const startedWaiting = now();
      let awaited: { replicaId: string; deadline: number }[];
      try {
        const rows = await liveReplicas(db, replicaId);
        const answeredAt = now();
        awaited = rows.map((row) => ({ replicaId: row.replicaId, deadline: leaseDeadline(row, answeredAt) }));
      } catch (error) {
        // Who holds a lease is unknown: wait out the longest lease any replica could hold.
        log.warn({ err: error, seq: change.seq }, "could not read the replica leases; waiting one lease");
        awaited = [{ replicaId: "(unknown)", deadline: startedWaiting + timing.leaseMs }];
      }
      const settled = new Promise<Settled>((resolve) => {
        const immediate = acknowledgements.start(change.seq, awaited, now());
        if (immediate) resolve(immediate);
        else {
          const list = settlers.get(change.seq) ?? [];
          list.push(resolve);
          settlers.set(change.seq, list);
          scheduleExpiry();
        }
      });
      try {
        await channel.notifyNow(
          CHANNEL,
          JSON.stringify({ origin: replicaId, ...change, sentAt: Date.now() }),
        );
      } catch (error) {
        // Each live replica reads it from the log at its next renewal, and acknowledges then.
        log.warn(
          { err: error, seq: change.seq },
          "could not announce a key change; replicas read it from the log",
        );
      }
      const result = await settled;
      if (result.lapsed.length > 0) {
        log.warn(
          { seq: change.seq, lapsed: result.lapsed, waitedMs: Math.round(result.waitedMs) },
          "a key change was not acknowledged by every replica; waited for their leases to run out",
        );
      }
      observers.deliver({
        kind: "announced",
        seq: change.seq,
        waitedMs: result.waitedMs,
        acknowledged: result.acknowledged,
        lapsed: result.lapsed,
      });
    },
    subscribe: (listener) => listeners.add(listener),
    observe: (observer) => observers.add(observer),
    memoryTrusted: () => caughtUp && channel.listening() && lease.current(now()),
    async close() {
      closed = true;
      if (renewTimer) clearTimeout(renewTimer);
      if (expiryTimer) clearTimeout(expiryTimer);
      // Bounded: a database that stopped answering must not hold the shutdown up; the lease then
      // runs out by itself, and announcements wait for it at most that long.
      const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
      await Promise.race([renewing, pause(500)]);
      await Promise.race([
        releaseLease(db, replicaId).catch((error: unknown) =>
          log.warn({ err: error }, "could not release the replica lease; it runs out by itself"),
        ),
        pause(1_000),
      ]);
    },
  };
}
