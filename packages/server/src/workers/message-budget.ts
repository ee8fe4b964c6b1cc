/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. Pure (the caller passes the
 * time), so one rule serves a worker's message rate and a key's rate of new machines, and the
 * arithmetic is tested without sockets or clocks.
 */
export interface BucketRule {
  burst: number;
  perSecond: number;
}

export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly rule: BucketRule,
    now: number,
  ) {
    this.#tokens = rule.burst;
    this.#at = now;
  }

  /** Tokens available at `now` (fractions count toward the next one). */
  available(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Takes one token if there is a whole one; false (and nothing taken) otherwise. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Gives back a token taken for something that turned out not to count. */
  refund(): void {
    this.#tokens = Math.min(this.rule.burst, this.#tokens + 1);
  }

  /** Seconds until a whole token is available at `now` (0 if one is). */
  secondsUntilNext(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.rule.perSecond;
  }

  #refill(now: number): void {
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.rule.burst, this.#tokens + (elapsed / 1000) * this.rule.perSecond);
    this.#at = Math.max(this.#at, now);
  }
}
