/**
 * Keys that authenticated recently, so a busy worker's requests skip the database look-up.
 *
 * Safe only where every revocation reaches this process before the DELETE answers: one server on
 * SQLite, whose in-process bus delivers "key revoked" synchronously. Across PostgreSQL replicas the
 * news arrives over NOTIFY a moment later, so there the cache is not used (see app.ts).
 *
 * A look-up that started before a revocation must not put the key back once the revocation has
 * passed: every revocation bumps a generation, and a result is kept only if the generation it was
 * read under is still current.
 */
import type { EventBus } from "../events/bus.ts";
import type { KeyIdentity } from "./store.ts";

const MAX_ENTRIES = 10_000;

export class VerifiedKeyCache {
  readonly #byHash = new Map<string, KeyIdentity>();
  readonly #hashById = new Map<string, string>();
  #generation = 0;

  constructor(bus: EventBus) {
    bus.subscribe((event) => {
      if (event.type === "api_key.revoked") this.#forget(event.apiKey.id);
    });
  }

  get generation(): number {
    return this.#generation;
  }

  find(keyHash: string): KeyIdentity | undefined {
    return this.#byHash.get(keyHash);
  }

  /** Keeps an active key read under `generation`, unless a revocation happened since. */
  remember(identity: KeyIdentity, generation: number): void {
    if (generation !== this.#generation || identity.apiKey.revokedAt !== null) return;
    if (this.#byHash.size >= MAX_ENTRIES) {
      this.#byHash.clear();
      this.#hashById.clear();
    }
    this.#byHash.set(identity.keyHash, identity);
    this.#hashById.set(identity.apiKey.id, identity.keyHash);
  }

  #forget(keyId: string): void {
    this.#generation += 1;
    const hash = this.#hashById.get(keyId);
    if (hash === undefined) return;
    this.#hashById.delete(keyId);
    this.#byHash.delete(hash);
  }
}
