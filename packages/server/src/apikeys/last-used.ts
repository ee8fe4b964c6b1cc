/** Remembers when this replica last wrote a key's last-used time, so a hot key writes once a minute. */
export class LastUsedThrottle {
  readonly #writtenAt = new Map<string, number>();
  readonly #everyMs: number;

  constructor(everyMs: number) {
    this.#everyMs = everyMs;
  }

  shouldWrite(keyId: string, now: number): boolean {
    const last = this.#writtenAt.get(keyId);
    if (last !== undefined && now - last < this.#everyMs) return false;
    this.#writtenAt.set(keyId, now);
    if (this.#writtenAt.size > 100_000) this.#writtenAt.clear();
    return true;
  }
}
