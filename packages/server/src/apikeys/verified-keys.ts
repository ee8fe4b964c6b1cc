/**
 * Keys that authenticated recently, so a busy worker's requests skip the database look-up.
 *
 * Safe because every key change reaches this process before the request that made it answers: the
 * key-change feed applies it here synchronously, on every replica (events/key-changes.ts). Where
 * this replica cannot be sure of that (its lease lapsed), the authenticator does not consult it.
 *
 * A look-up that started before a change must not put the key back once the change has passed:
 * every change bumps a generation, and a result is kept only if the generation it was read under
 * is still current.
 */
import type { KeyChangeFeed } from "../events/key-changes.ts";
import type { KeyIdentity } from "./store.ts";

const MAX_ENTRIES = 10_000;

export class VerifiedKeyCache {
  readonly #byHash = new Map<string, KeyIdentity>();
  readonly #hashById = new Map<string, string>();
  #generation = 0;

  constructor(keyChanges: KeyChangeFeed) {
    keyChanges.subscribe((change) => {
      this.#generation += 1;
      for (const keyId of change.keyIds) this.#forget(keyId);
    });
  }

  get generation(): number {
    return this.#generation;
  }

  find(keyHash: string): KeyIdentity | undefined {
    return this.#byHash.get(keyHash);
  }

  /** Keeps an active key read under `generation`, unless a change happened since. */
  remember(identity: KeyIdentity, generation: number): void {
    if (generation !== this.#generation || identity.apiKey.revokedAt !== null) return;
    if (this.#byHash.size >= MAX_ENTRIES) this.clear();
    this.#byHash.set(identity.keyHash, identity);
    this.#hashById.set(identity.apiKey.id, identity.keyHash);
  }

  /** Forgets everything (a replica whose lease lapsed starts again from the database). */
  clear(): void {
    this.#generation += 1;
    this.#byHash.clear();
    this.#hashById.clear();
  }

  #forget(keyId: string): void {
    const hash = this.#hashById.get(keyId);
    if (hash === undefined) return;
    this.#hashById.delete(keyId);
    this.#byHash.delete(hash);
  }
}
