/**
 * Lease arithmetic for the key-change protocol across PostgreSQL replicas (pure: no I/O, no clock).
 *
 * A replica's lease is a row whose expiry the database stamps with its own clock (now + LEASE_MS).
 * Two clocks read it, and each must err on its own safe side:
 * - the replica itself counts from the moment it *sent* the renewal, on its monotonic clock, and
 *   stops trusting memory a margin before the lease could have run out in the database: the
 *   database stamped the expiry after the request was sent, so this is never later than the stamp;
 * - a replica waiting for acknowledgements reads the expiry and the database's "now" in the same
 *   statement, and waits out the difference on its own monotonic clock, from after the answer came.
 * Only the two clocks' rates must agree (to within CLOCK_MARGIN_MS over one lease), not their times.
 */

/** How long a renewed lease lasts, by the database's clock. */
export const LEASE_MS = 2_000;
/**
 * How often a replica renews: four times per lease, so a database answering slowly (up to about
 * 1.3 s for a renewal) does not lapse it and send every request to the database.
 */
export const RENEW_EVERY_MS = 500;
/** What the replica takes off its own lease, for clock-rate drift and scheduling delay. */
export const CLOCK_MARGIN_MS = 150;

export interface LeaseTiming {
  leaseMs: number;
  renewEveryMs: number;
  marginMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  leaseMs: LEASE_MS,
  renewEveryMs: RENEW_EVERY_MS,
  marginMs: CLOCK_MARGIN_MS,
};

/** This replica's view of its own lease, on its monotonic clock. */
export class OwnLease {
  readonly #timing: LeaseTiming;
  /** Until when (monotonic ms) memory may be trusted; 0 while no renewal has succeeded. */
  #validUntil = 0;

  constructor(timing: LeaseTiming = DEFAULT_LEASE_TIMING) {
    this.#timing = timing;
  }

  /** A renewal sent at `sentAt` (monotonic) succeeded. */
  renewed(sentAt: number): void {
    this.#validUntil = Math.max(this.#validUntil, sentAt + this.#timing.leaseMs - this.#timing.marginMs);
  }

  /** Gives the lease up at once (the listening connection dropped: announcements may be missed). */
  lapse(): void {
    this.#validUntil = 0;
  }

  current(now: number): boolean {
    return now < this.#validUntil;
  }

  /** Monotonic ms at which the lease runs out (0 if it never held). */
  get validUntil(): number {
    return this.#validUntil;
  }
}

/**
 * When, on this replica's monotonic clock, another replica's lease runs out for sure: the expiry and
 * the database's now were read in one statement, and the answer arrived at `answeredAt`.
 */
export function leaseDeadline(
  row: { leaseExpiresMs: number; databaseNowMs: number },
  answeredAt: number,
): number {
  return answeredAt + Math.max(0, row.leaseExpiresMs - row.databaseNowMs);
}

/**
 * Which log entries a replica re-reads when it renews or catches up. Sequence numbers are taken when
 * a transaction inserts, not when it commits, so a lower number can become visible after a higher
 * one: reading only "after the highest applied" would skip it. The replica re-reads a window below
 * its highest and skips what it applied already (RecentSeqs).
 */
export const REREAD_WINDOW = 200;

export function rereadFloor(highestApplied: number, window = REREAD_WINDOW): number {
  return Math.max(0, highestApplied - window);
}

/** The sequence numbers applied recently (those inside the re-read window), to apply each once. */
export class RecentSeqs {
  readonly #seqs = new Set<number>();
  #highest: number;
  readonly #window: number;

  constructor(highest: number, window = REREAD_WINDOW) {
    this.#highest = highest;
    this.#window = window;
  }

  get highest(): number {
    return this.#highest;
  }

  /** The lowest sequence number the next read must start after. */
  get floor(): number {
    return rereadFloor(this.#highest, this.#window);
  }

  /**
   * Whether `seq` is news: not applied yet. Anything at or below the floor counts as applied (its
   * window has passed), which also covers every entry that existed when the replica started.
   */
  isNew(seq: number): boolean {
    return seq > this.floor && !this.#seqs.has(seq);
  }

  /** Records `seq` as applied; forgets what fell below the window. */
  add(seq: number): void {
    this.#seqs.add(seq);
    if (seq > this.#highest) {
      this.#highest = seq;
      const floor = this.floor;
      for (const old of this.#seqs) if (old <= floor) this.#seqs.delete(old);
    }
  }

  /** The applied sequence numbers above the floor, for the renewal's "nothing unapplied" guard. */
  appliedAboveFloor(): number[] {
    const floor = this.floor;
    return [...this.#seqs].filter((seq) => seq > floor);
  }
}
