/** A change a page applies to what it shows, as React's functional state updates do. */
export type Update<T> = (current: T | null) => T | null;

/** What to do with a read's answer: show `value`, or drop it (a later read has already been shown). */
export type Settled<T> = { show: true; value: T | null } | { show: false };

/**
 * The order of a page's reads of one list, and of the live updates merged in between.
 *
 * Reads may answer out of order (the first read of a page, then another when its event stream
 * opens), and a read may answer after an event the page merged while the read was under way. So
 * the answer of a read is shown only if no read started after it has been shown, and every live
 * update applied since it started is applied again on top of it: an event the read's answer may
 * predate is not lost, and one it already includes is applied twice, which merges by id allow.
 */
export class ReadSequence<T> {
  #started = 0;
  #shown = 0;
  readonly #pending = new Set<number>();
  /** Live updates applied while a read was under way, each with the number of reads started before it. */
  #updates: { after: number; update: Update<T> }[] = [];

  /** A read starts: its ticket, for `settle` or `fail`. */
  start(): number {
    this.#started += 1;
    this.#pending.add(this.#started);
    return this.#started;
  }

  /** A live update was applied now: kept only while a read that may predate it is under way. */
  record(update: Update<T>): void {
    if (this.#pending.size > 0) this.#updates.push({ after: this.#started, update });
  }

  /** Read `ticket` answered `loaded`. */
  settle(ticket: number, loaded: T): Settled<T> {
    this.#pending.delete(ticket);
    if (ticket < this.#shown) return { show: false };
    this.#shown = ticket;
    const value = this.#updates
      .filter(({ after }) => after >= ticket)
      .reduce<T | null>((current, { update }) => update(current), loaded);
    this.#forgetUnneeded();
    return { show: true, value };
  }

  /** Read `ticket` failed: its error is worth showing only if no later read has been shown. */
  fail(ticket: number): boolean {
    this.#pending.delete(ticket);
    this.#forgetUnneeded();
    return ticket > this.#shown;
  }

  /** An update is needed only by a read under way that started before it and may still be shown. */
  #forgetUnneeded(): void {
    const oldestUseful = Math.max(this.#shown + 1, Math.min(...this.#pending));
    this.#updates = this.#updates.filter(({ after }) => after >= oldestUseful);
  }
}
