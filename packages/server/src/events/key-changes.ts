/**
 * The key-change feed: how "this key is revoked" (or renamed, or rolled to a new expiry) reaches
 * every place that holds a key in memory, on every replica, before the request that made the
 * change answers (SPEC.md v1.1, "Revocation is acknowledged by every replica").
 *
 * A change is first committed to the `key_changes` log in the same transaction as the key itself
 * (key-change-log.ts), then announced. `announce` applies it here at once (the verified-key cache
 * forgets the key, the gateway cuts off its sockets) and resolves once every live replica has done
 * the same. On one SQLite server "every replica" is this process; across PostgreSQL replicas it is
 * the lease protocol of postgres-key-changes.ts.
 */
import type { RevokedReason } from "@cogno/protocol";
import { ListenerSet } from "./bus.ts";

export interface KeyChange {
  /** Position in the `key_changes` log. */
  seq: number;
  keyIds: string[];
  /** `revoked`: cut off now, for `reason`. `updated`: re-read (a rename, or a roll's new expiry). */
  change: "revoked" | "updated";
  reason: RevokedReason | null;
}

export type KeyChangeListener = (change: KeyChange) => void;

/**
 * What the feed reports about its own timing, for metrics to be wired to (nothing here records
 * them): `applied` on a replica that heard another's announcement, with the delay from sending to
 * applying (by wall clocks, so across machines it includes their skew); `announced` on the replica
 * that announced, once every live replica acknowledged or ran out of lease.
 */
export type KeyChangeObservation =
  | { kind: "applied"; seq: number; origin: string; lagMs: number }
  | {
      kind: "announced";
      seq: number;
      waitedMs: number;
      acknowledged: { replicaId: string; afterMs: number }[];
      lapsed: string[];
    };

export interface KeyChangeFeed {
  /** Applies a committed change here and on every live replica; resolves when all have applied it. */
  announce(change: KeyChange): Promise<void>;
  /** The local appliers, called synchronously and in order; what they do is done when they return. */
  subscribe(listener: KeyChangeListener): () => void;
  /** Reports announce-to-apply and acknowledgement delays (bus lag across replicas). */
  observe(observer: (observation: KeyChangeObservation) => void): () => void;
  /**
   * Whether keys verified earlier may be served from memory right now. False on a replica whose
   * lease has lapsed: it may have missed a change, so it reads the database until it renews.
   */
  memoryTrusted(): boolean;
  close(): Promise<void>;
}

/** One server on SQLite: every change is made in this process, so announcing is delivering. */
export function createInProcessKeyChangeFeed(
  onError: (error: unknown, change: KeyChange) => void,
): KeyChangeFeed {
  const listeners = new ListenerSet<KeyChange>(onError);
  const observers = new ListenerSet<KeyChangeObservation>(() => {});
  return {
    async announce(change) {
      listeners.deliver(change);
      observers.deliver({ kind: "announced", seq: change.seq, waitedMs: 0, acknowledged: [], lapsed: [] });
    },
    subscribe: (listener) => listeners.add(listener),
    observe: (observer) => observers.add(observer),
    memoryTrusted: () => true,
    async close() {},
  };
}
