/**
 * What one key may hold on this replica (issue 8 #14): at most `maxConnections` sockets (upgrades
 * still in flight count, so a burst cannot all pass the check before any connects), and at most
 * `newWorkersPerMinute` new machines registered (a token bucket per key; a machine registered
 * before does not spend one). Per replica: the caps bound what one process can be made to hold.
 */
import { type BucketRule, TokenBucket } from "./message-budget.ts";

export class PerKeyLimits {
  readonly maxConnections: number;
  readonly newWorkersPerMinute: number;
  readonly #newWorkerRule: BucketRule;
  readonly #now: () => number;
  readonly #upgrading = new Map<string, number>();
  readonly #newWorkers = new Map<string, TokenBucket>();

  constructor(limits: { maxConnections: number; newWorkersPerMinute: number }, now: () => number) {
    this.maxConnections = limits.maxConnections;
    this.newWorkersPerMinute = limits.newWorkersPerMinute;
    this.#newWorkerRule = { burst: limits.newWorkersPerMinute, perSecond: limits.newWorkersPerMinute / 60 };
    this.#now = now;
  }

  /**
   * Counts one more upgrade toward the key's cap, given the sockets it holds already; returns the
   * function that stops counting it (call it once the socket is connected, or the upgrade failed),
   * or undefined when the key is at its cap.
   */
  reserveConnection(keyId: string, connected: number): (() => void) | undefined {
    const upgrading = this.#upgrading.get(keyId) ?? 0;
    if (connected + upgrading >= this.maxConnections) return undefined;
    this.#upgrading.set(keyId, upgrading + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#upgrading.get(keyId) ?? 1) - 1;
      if (left <= 0) this.#upgrading.delete(keyId);
      else this.#upgrading.set(keyId, left);
    };
  }

  /** Spends one new-machine token of the key; false when none is left this minute. */
  takeNewWorker(keyId: string): boolean {
    let bucket = this.#newWorkers.get(keyId);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#newWorkerRule, this.#now());
      this.#newWorkers.set(keyId, bucket);
    }
    return bucket.take(this.#now());
  }

  /** Gives the token back: the machine turned out to be known. */
  refundNewWorker(keyId: string): void {
    this.#newWorkers.get(keyId)?.refund();
  }

  /** Whole seconds until the key may register a new machine again. */
  secondsUntilNewWorker(keyId: string): number {
    return Math.ceil(this.#newWorkers.get(keyId)?.secondsUntilNext(this.#now()) ?? 0);
  }

  /** Forgets keys whose bucket is full again: a full bucket is the same as none. */
  prune(): void {
    const now = this.#now();
    for (const [keyId, bucket] of this.#newWorkers)
      if (bucket.available(now) >= this.#newWorkerRule.burst) this.#newWorkers.delete(keyId);
  }
}
