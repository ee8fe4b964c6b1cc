/**
 * One timer per key with connections here and an expiry: when it fires, the gateway checks the key
 * and cuts its workers off with reason "expired" (or "rolled"), on time on every replica, rather
 * than at the next periodic sweep (API.md v1.1).
 */

/** setTimeout's largest delay (about 24.8 days); a later expiry is re-armed when this one fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class KeyExpiryTimers {
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #now: () => number;
  readonly #onDue: (keyId: string) => void;

  constructor(now: () => number, onDue: (keyId: string) => void) {
    this.#now = now;
    this.#onDue = onDue;
  }

  /** Arms (or moves, or with null clears) the timer of a key. */
  set(keyId: string, expiresAt: string | null): void {
    const at = expiresAt === null ? undefined : Date.parse(expiresAt);
    const current = this.#timers.get(keyId);
    if (current !== undefined && current.at === at) return;
    this.clear(keyId);
    if (at === undefined) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - this.#now()));
    const timer = setTimeout(() => {
      this.#timers.delete(keyId);
      if (this.#now() >= at) this.#onDue(keyId);
      else this.set(keyId, new Date(at).toISOString());
    }, delay);
    timer.unref();
    this.#timers.set(keyId, { at, timer });
  }

  clear(keyId: string): void {
    const current = this.#timers.get(keyId);
    if (current === undefined) return;
    clearTimeout(current.timer);
    this.#timers.delete(keyId);
  }

  clearAll(): void {
    for (const keyId of [...this.#timers.keys()]) this.clear(keyId);
  }
}
