/**
 * The life of the keys this replica's sockets hold: revoked (the key-change feed, called before a
 * revocation answers), expired or at the end of a roll's grace (a timer per key, on time), renamed
 * or rolled (read again), and a periodic look in the database as a safety net behind all three.
 */
import type { ApiKey, ApiKeyRef, RevokedReason } from "@cogno/protocol";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { findApiKeysByIds } from "../apikeys/store.ts";
import { type Clock, isoAt } from "../clock.ts";
import type { Database } from "../db/schema.ts";
import type { KeyChange } from "../events/key-changes.ts";
import { cutOffAll } from "./connection.ts";
import type { ConnectionRegistry } from "./connection-registry.ts";
import { KeyExpiryTimers } from "./key-expiry-timers.ts";
import { findRevokedKeyIds } from "./store.ts";

export class KeyWatch {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #registry: ConnectionRegistry;
  readonly #track: (work: Promise<unknown>) => void;
  readonly #timers: KeyExpiryTimers;

  constructor(
    deps: { db: Kysely<Database>; clock: Clock; log: Logger },
    registry: ConnectionRegistry,
    track: (work: Promise<unknown>) => void,
  ) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#registry = registry;
    this.#track = track;
    this.#timers = new KeyExpiryTimers(
      () => deps.clock.now().getTime(),
      (keyId) =>
        track(
          this.recheck([keyId]).catch((error: unknown) => {
            // The key's own expiry has passed: it is refused whatever the database says now.
            deps.log.warn({ err: error, keyId }, "could not read an expiring key; cutting it off");
            this.cutOff(keyId, "expired");
          }),
        ),
    );
  }

  /** The key-change feed's listener: synchronous, so a revocation is applied before it answers. */
  readonly onKeyChange = (change: KeyChange): void => {
    if (change.change === "revoked") {
      for (const keyId of change.keyIds) this.cutOff(keyId, change.reason ?? "revoked");
    } else {
      // Renamed, or rolled (a new expiry): read what it is now.
      this.#track(this.recheck(change.keyIds));
    }
  };

  /** A connection with this key opened here: arm its expiry. */
  connected(key: ApiKey): void {
    if (key.expiresAt !== null) this.#timers.set(key.id, key.expiresAt);
  }

  /** A connection with this key left: no timer for a key nothing here holds. */
  disconnected(keyId: string): void {
    if (this.#registry.countOfKey(keyId) === 0) this.#timers.clear(keyId);
  }

  cutOff(keyId: string, reason: RevokedReason): void {
    this.#timers.clear(keyId);
    cutOffAll(this.#registry.ofKey(keyId), reason);
  }

  /**
   * Reads keys held here again and acts on what they are now: cut off a key that is revoked or
   * expired (with its reason), else rename its connections' copy and re-arm its expiry timer.
   */
  async recheck(keyIds: string[]): Promise<void> {
    const held = keyIds.filter((keyId) => this.#registry.countOfKey(keyId) > 0);
    if (held.length === 0) return;
    const at = isoAt(this.#clock);
    const found = new Map((await findApiKeysByIds(this.#db, held, at)).map((key) => [key.id, key]));
    for (const keyId of held) {
      const key = found.get(keyId);
      if (key === undefined) {
        this.cutOff(keyId, "revoked");
      } else if (key.revokedAt !== null) {
        this.cutOff(keyId, key.revokedReason ?? "revoked");
      } else {
        const ref: ApiKeyRef = { id: key.id, name: key.name, prefix: key.prefix };
        for (const connection of this.#registry.ofKey(keyId)) connection.apiKey = ref;
        this.#timers.set(keyId, key.expiresAt);
      }
    }
  }

  /**
   * The safety net, once per heartbeat interval: the keys of this replica's sockets, checked in
   * the database. A replica cut off from the feed for a while still cuts off what it missed.
   */
  async checkHeld(): Promise<void> {
    const held = [...this.#registry.keyIds()];
    if (held.length === 0) return;
    const revoked = await findRevokedKeyIds(this.#db, held, isoAt(this.#clock));
    if (revoked.length > 0) await this.recheck(revoked);
  }

  stop(): void {
    this.#timers.clearAll();
  }
}
