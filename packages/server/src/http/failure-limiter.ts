/**
 * Counts failed authentications per client address in fixed one-minute windows. Only failures
 * count, so a busy fleet of healthy workers behind one address is never slowed down, while a
 * client guessing keys or passwords is refused with 429 until its window ends. Where every attempt
 * costs (a sign-up makes an account), `countAttempt` counts each one, failed or not.
 */
import type { Clock } from "../clock.ts";
import { AppError } from "./errors.ts";

const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  failures: number;
}

export class FailureLimiter {
  readonly #windows = new Map<string, Window>();
  readonly #inFlight = new Map<string, number>();
  readonly #limit: number;
  readonly #clock: Clock;
  /** What is limited, for the message: "this address", "this key". */
  readonly #subject: string;
  /** What is counted, for the message: failed attempts, or (sign-ups) every attempt. */
  readonly #counted: string;

  constructor(limitPerMinute: number, clock: Clock, subject = "this address", counted = "failed attempts") {
    this.#limit = limitPerMinute;
    this.#clock = clock;
    this.#subject = subject;
    this.#counted = counted;
  }

  /** Whether the client may try now: false once it has used up its failures for this window. */
  allows(client: string): boolean {
    return (this.#current(client)?.failures ?? 0) + (this.#inFlight.get(client) ?? 0) < this.#limit;
  }

  /** Throws 429 when the client has used up its failures for this window. */
  assertAllowed(client: string): void {
    if (!this.allows(client)) {
      const window = this.#current(client);
      const startedAt = window?.startedAt ?? this.#clock.now().getTime();
      const retryAfter = Math.max(1, Math.ceil((startedAt + WINDOW_MS - this.#clock.now().getTime()) / 1000));
      throw new AppError(
        "rate_limited",
        `Too many ${this.#counted} with ${this.#subject}. Try again in ${retryAfter} seconds.`,
        { retryAfter },
      );
    }
  }

  /**
   * For slow checks (password hashing): an attempt counts against the limit from its start until it
   * ends, so a burst of parallel guesses cannot all pass the check before any failure is counted.
   * `fail()` ends it as a failure; `end()` ends it otherwise (and does nothing after `fail()`).
   */
  begin(client: string): { fail(): void; end(): void } {
    this.assertAllowed(client);
    this.#inFlight.set(client, (this.#inFlight.get(client) ?? 0) + 1);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      const left = (this.#inFlight.get(client) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(client, left);
      else this.#inFlight.delete(client);
    };
    return {
      end: settle,
      fail: () => {
        if (settled) return;
        settle();
        this.recordFailure(client);
      },
    };
  }

  /** For limits on every attempt: 429 once the window is used up, else this attempt counts now. */
  countAttempt(client: string): void {
    this.assertAllowed(client);
    this.recordFailure(client);
  }

  recordFailure(client: string): void {
    const now = this.#clock.now().getTime();
    const window = this.#current(client);
    if (window) window.failures += 1;
    else this.#windows.set(client, { startedAt: now, failures: 1 });
    if (this.#windows.size > 10_000) this.#forgetExpired(now);
  }

  #current(client: string): Window | undefined {
    const window = this.#windows.get(client);
    if (!window) return undefined;
    if (this.#clock.now().getTime() - window.startedAt >= WINDOW_MS) {
      this.#windows.delete(client);
      return undefined;
    }
    return window;
  }

  #forgetExpired(now: number): void {
    for (const [client, window] of this.#windows) {
      if (now - window.startedAt >= WINDOW_MS) this.#windows.delete(client);
    }
  }
}
