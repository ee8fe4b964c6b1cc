/**
 * Acknowledgement bookkeeping for announced key changes (pure: no I/O, no clock of its own).
 *
 * An announcement waits on the replicas that held a live lease after the change committed: each is
 * done when it acknowledges the change's sequence number, or when its lease runs out (it then trusts
 * no memory, and must catch up from the log before it renews). The announcement is settled when
 * every replica it waits on is done.
 */

export interface Awaited {
  replicaId: string;
  /** Monotonic ms at which its lease runs out for sure (lease.ts `leaseDeadline`). */
  deadline: number;
}

export interface Settled {
  seq: number;
  /** Replicas that acknowledged, with how long after the announcement started. */
  acknowledged: { replicaId: string; afterMs: number }[];
  /** Replicas given up on because their lease ran out before they acknowledged. */
  lapsed: string[];
  /** From the start of the wait to its settling. */
  waitedMs: number;
}

interface Pending {
  seq: number;
  startedAt: number;
  waiting: Map<string, number>;
  acknowledged: { replicaId: string; afterMs: number }[];
  lapsed: string[];
}

export class Acknowledgements {
  readonly #pending = new Map<number, Pending[]>();

  /** Starts waiting on `replicas` for `seq`; settled at once when there is none to wait on. */
  start(seq: number, replicas: Awaited[], now: number): Settled | undefined {
    const pending: Pending = {
      seq,
      startedAt: now,
      waiting: new Map(replicas.map((replica) => [replica.replicaId, replica.deadline])),
      acknowledged: [],
      lapsed: [],
    };
    const settled = this.#settleIfDone(pending, now);
    if (settled) return settled;
    const list = this.#pending.get(seq) ?? [];
    list.push(pending);
    this.#pending.set(seq, list);
    return undefined;
  }

  /** `replicaId` has applied every change in `seqs`; returns the announcements this settles. */
  acknowledge(replicaId: string, seqs: readonly number[], now: number): Settled[] {
    const settled: Settled[] = [];
    for (const seq of seqs) {
      const list = this.#pending.get(seq);
      if (!list) continue;
      for (const pending of [...list]) {
        if (!pending.waiting.delete(replicaId)) continue;
        pending.acknowledged.push({ replicaId, afterMs: now - pending.startedAt });
        const done = this.#settleIfDone(pending, now);
        if (done) {
          this.#remove(pending);
          settled.push(done);
        }
      }
    }
    return settled;
  }

  /** Gives up on every replica whose lease has run out by `now`; returns what that settles. */
  expire(now: number): Settled[] {
    const settled: Settled[] = [];
    for (const list of [...this.#pending.values()]) {
      for (const pending of [...list]) {
        for (const [replicaId, deadline] of pending.waiting) {
          if (deadline <= now) {
            pending.waiting.delete(replicaId);
            pending.lapsed.push(replicaId);
          }
        }
        const done = this.#settleIfDone(pending, now);
        if (done) {
          this.#remove(pending);
          settled.push(done);
        }
      }
    }
    return settled;
  }

  /** The earliest lease deadline still awaited, for the one timer that calls `expire`. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const list of this.#pending.values()) {
      for (const pending of list) {
        for (const deadline of pending.waiting.values()) {
          if (next === undefined || deadline < next) next = deadline;
        }
      }
    }
    return next;
  }

  get size(): number {
    let size = 0;
    for (const list of this.#pending.values()) size += list.length;
    return size;
  }

  #settleIfDone(pending: Pending, now: number): Settled | undefined {
    if (pending.waiting.size > 0) return undefined;
    return {
      seq: pending.seq,
      acknowledged: pending.acknowledged,
      lapsed: pending.lapsed,
      waitedMs: now - pending.startedAt,
    };
  }

  #remove(pending: Pending): void {
    const list = this.#pending.get(pending.seq);
    if (!list) return;
    const rest = list.filter((other) => other !== pending);
    if (rest.length === 0) this.#pending.delete(pending.seq);
    else this.#pending.set(pending.seq, rest);
  }
}
