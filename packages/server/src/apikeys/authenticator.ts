/**
 * The key authenticator: turns a bearer header into the key it names, or a refusal with a code of
 * API.md. It owns what key authentication remembers between requests: the verified-key cache, the
 * last-used throttle, and the limits on failed attempts.
 *
 * Failed attempts are limited two ways (issue: a revoked key must not lock out its whole address).
 * A malformed or unknown key is a guess: it counts against the client address, from the moment the
 * attempt starts (so a burst cannot outrun the count). A key that existed (revoked, expired) is no
 * guess, and is limited per key, so one revoked key shared by a fleet behind one NAT address does
 * not lock out the healthy keys from that address.
 */
import { type ApiKey, parseApiKey } from "@cogno/protocol";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { equalInConstantTime, sha256Hex } from "../crypto.ts";
import { GroupCommit } from "../db/group-commit.ts";
import type { Database } from "../db/schema.ts";
import type { KeyChangeFeed } from "../events/key-changes.ts";
import { AppError } from "../http/errors.ts";
import { FailureLimiter } from "../http/failure-limiter.ts";
import { LastUsedThrottle } from "./last-used.ts";
import { findApiKeyByHash, type KeyIdentity, type KeyUse, touchLastUsed } from "./store.ts";
import { VerifiedKeyCache } from "./verified-keys.ts";

interface DatabaseRead {
  /** The cache generation the read started under. */
  generation: number;
  found: KeyIdentity | undefined;
}

export interface AuthenticatedKey {
  apiKey: ApiKey;
  workspace: { id: string; name: string };
}

/** A key's last use is written at most this often (SPEC.md: "about once a minute per key"). */
export const LAST_USED_EVERY_MS = 60_000;

// The scheme is case-insensitive (RFC 9110, section 11.1): "bearer" and "BEARER" are the same header.
const BEARER = /^Bearer +(\S+)$/i;

export interface KeyAuthenticatorDeps {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  keyChanges: KeyChangeFeed;
  /** Failed attempts allowed per client address (guesses) and per existing key, per minute. */
  failuresPerMinute: number;
}

export class KeyAuthenticator {
  readonly #deps: KeyAuthenticatorDeps;
  readonly #cache: VerifiedKeyCache;
  readonly #lastUsed = new LastUsedThrottle(LAST_USED_EVERY_MS);
  /**
   * Key uses are written together when they arrive together: after a restart every key of a fleet
   * is used within moments, and one commit each held the database's connections for the look-ups
   * that the cold cache needs at the same time.
   */
  readonly #useWrites: GroupCommit<KeyUse, undefined>;
  readonly #guessesByAddress: FailureLimiter;
  readonly #refusalsByKey: FailureLimiter;
  /** Database look-ups in flight per client address, and the look-ups waiting for one to end. */
  readonly #lookUpsInFlight = new Map<string, { count: number; waiting: (() => void)[] }>();
  /** Database reads in flight, by key hash, with the cache generation each started under. */
  readonly #reads = new Map<string, { generation: number; read: Promise<DatabaseRead> }>();

  constructor(deps: KeyAuthenticatorDeps) {
    this.#deps = deps;
    this.#cache = new VerifiedKeyCache(deps.keyChanges);
    this.#useWrites = new GroupCommit(async (uses) => {
      await touchLastUsed(deps.db, uses);
      return uses.map(() => undefined);
    });
    this.#guessesByAddress = new FailureLimiter(deps.failuresPerMinute, deps.clock);
    this.#refusalsByKey = new FailureLimiter(deps.failuresPerMinute, deps.clock, "this key");
  }

  /**
   * Authenticates a bearer header for a request from `client` (its address).
   *
   * The common case, a key verified before and still trusted in memory, runs without an await, a
   * Date or a closure: a worker calls whoami often, and this is most of what its request costs.
   * A look-up in the database counts as an attempt in flight from its start (so a burst of guesses
   * cannot all pass the limit before the first failure is counted); a memory hit needs no such count,
   * as nothing can run between its check and its answer.
   */
  async authenticate(authorization: string | undefined, client: string): Promise<AuthenticatedKey> {
    this.#assertAddressAllowed(client);
    const candidate = authorization?.match(BEARER)?.[1];
    if (candidate === undefined) {
      this.#guessesByAddress.recordFailure(client);
      throw new AppError(
        "api_key_malformed",
        "Send the API key in the Authorization header as: Bearer cogno_wk_…",
      );
    }
    const keyHash = sha256Hex(candidate);
    // A key found in memory was parsed when it was first verified: its format and checksum need no
    // second look (the parse answers the candidate itself as the key, so the hash is the same).
    const identity =
      this.#fromMemory(keyHash) ?? (await this.#fromDatabaseIfWellFormed(candidate, keyHash, client));
    const { apiKey } = identity;
    const refusal = this.#refusalNow(apiKey);
    if (refusal) {
      this.#refusalsByKey.assertAllowed(apiKey.id);
      this.#refusalsByKey.recordFailure(apiKey.id);
      throw refusal;
    }
    this.recordUse(apiKey.id, client);
    return { apiKey, workspace: identity.workspace };
  }

  /**
   * The common case alone, answered at once: a well-formed bearer header naming a key verified
   * earlier, still trusted in memory, active now, from an address that may still try. Anything else
   * (no or malformed header, a key not in memory, a key that would be refused, an address over its
   * limit) is undefined, and `authenticate` decides it. What it answers, `authenticate` would answer
   * too, and it records the use as `authenticate` does. For the whoami fast lane (whoami.ts).
   */
  authenticateFromMemory(authorization: string | undefined, client: string): AuthenticatedKey | undefined {
    if (authorization === undefined || !this.#guessesByAddress.allows(client)) return undefined;
    const candidate = authorization.match(BEARER)?.[1];
    if (candidate === undefined) return undefined;
    const identity = this.#fromMemory(sha256Hex(candidate));
    if (identity === undefined) return undefined;
    const { apiKey } = identity;
    if (this.#refusalNow(apiKey) !== undefined) return undefined;
    this.recordUse(apiKey.id, client);
    return { apiKey, workspace: identity.workspace };
  }

  /**
   * Keeps a key's last-used time (and address) fresh to the minute without turning every request
   * into a write. Called on authentication, and by the gateway for keys whose workers stay connected.
   */
  recordUse(keyId: string, ip: string | null): void {
    const now = this.#deps.clock.now().getTime();
    if (!this.#lastUsed.shouldWrite(keyId, now)) return;
    this.#useWrites
      .submit({
        keyId,
        at: new Date(now).toISOString(),
        ip,
        staleBefore: new Date(now - LAST_USED_EVERY_MS).toISOString(),
      })
      .catch((error: unknown) => this.#deps.log.warn({ err: error, keyId }, "could not record key use"));
  }

  /**
   * 429 once the address has used up its failures. Over the limit only because of this address's
   * look-ups still in flight, it may go on: a look-up then waits its turn (#beginLookUp).
   */
  #assertAddressAllowed(client: string): void {
    // Checked without a throw first: an error (and its stack) for every request of a busy address
    // with look-ups in flight was most of what a cold cache cost.
    if (this.#guessesByAddress.allows(client) || this.#lookUpsInFlight.has(client)) return;
    this.#guessesByAddress.assertAllowed(client);
  }

  /** Why the key is refused now, if it is. */
  #refusalNow(apiKey: ApiKey): AppError | undefined {
    // Only a key that was revoked or has an expiry can be refused: the clock is read for those alone.
    if (apiKey.revokedAt === null && apiKey.expiresAt === null) return undefined;
    return refusalOf(apiKey, this.#deps.clock.now().toISOString());
  }

  /** A key verified earlier, if memory may be trusted now (on PostgreSQL: this replica's lease holds). */
  #fromMemory(keyHash: string): KeyIdentity | undefined {
    if (this.#deps.keyChanges.memoryTrusted()) return this.#cache.find(keyHash); // found by the hash itself
    this.#cache.clear();
    return undefined;
  }

  /** The key a candidate names, from the database: 401 api_key_malformed or api_key_invalid if none. */
  async #fromDatabaseIfWellFormed(candidate: string, keyHash: string, client: string): Promise<KeyIdentity> {
    const parsed = parseApiKey(candidate);
    if (!parsed.ok) {
      this.#guessesByAddress.recordFailure(client);
      throw new AppError("api_key_malformed", parsed.message);
    }
    const identity = await this.#fromDatabase(keyHash, client);
    if (!identity) {
      throw new AppError(
        "api_key_invalid",
        `The API key ${parsed.displayPrefix}… does not exist. Create a key in Settings > API Keys, then run cogno login --token <key>.`,
      );
    }
    return identity;
  }

  async #fromDatabase(keyHash: string, client: string): Promise<KeyIdentity | undefined> {
    // A read of this key already in flight is joined without taking a turn: it probes nothing new.
    const joined = this.#readInFlight(keyHash);
    if (joined !== undefined) {
      const trusted = this.#deps.keyChanges.memoryTrusted();
      const identity = this.#verified(keyHash, await joined, trusted);
      if (!identity) this.#guessesByAddress.recordFailure(client);
      return identity;
    }
    const attempt = await this.#beginLookUp(client);
    try {
      const trusted = this.#deps.keyChanges.memoryTrusted();
      // Verified by another request while this one waited for its turn.
      const remembered = trusted ? this.#cache.find(keyHash) : undefined;
      if (remembered) return remembered;
      const identity = this.#verified(
        keyHash,
        await (this.#readInFlight(keyHash) ?? this.#read(keyHash)),
        trusted,
      );
      if (!identity) attempt.fail();
      return identity;
    } finally {
      attempt.end();
      this.#lookUpEnded(client);
    }
  }

  /** The key a read found, once compared in constant time; remembered when memory was trusted. */
  #verified(keyHash: string, { generation, found }: DatabaseRead, trusted: boolean): KeyIdentity | undefined {
    // The database matched by index; the row is trusted only after a constant-time comparison.
    const identity = found && equalInConstantTime(found.keyHash, keyHash) ? found : undefined;
    if (identity && trusted) this.#cache.remember(identity, generation);
    return identity;
  }

  /**
   * Starts a database look-up counted as an attempt in flight. When the address is over its limit
   * only because of look-ups still in flight (a busy fleet behind one address, with a cold cache),
   * this waits for one of them to end and asks again, instead of answering 429 to healthy keys: once
   * they end, either they failed (and the limit refuses for good) or they succeeded (and room is made).
   */
  async #beginLookUp(client: string): Promise<{ fail(): void; end(): void }> {
    for (;;) {
      const inFlight = this.#lookUpsInFlight.get(client);
      if (inFlight !== undefined && !this.#guessesByAddress.allows(client)) {
        await new Promise<void>((resolve) => inFlight.waiting.push(resolve));
        continue;
      }
      // 429 when the address used up its failures with no look-up of its own left to wait for.
      const attempt = this.#guessesByAddress.begin(client);
      if (inFlight) inFlight.count += 1;
      else this.#lookUpsInFlight.set(client, { count: 1, waiting: [] });
      return attempt;
    }
  }

  /**
   * A read of the key in flight that started under the current cache generation, if any: a fleet's
   * workers share keys, and a cold cache met by many requests at once asked the database for one
   * key as many times. A read that started before a key change is not joined: its answer may
   * predate the change, and is kept only under the generation it started in.
   */
  #readInFlight(keyHash: string): Promise<DatabaseRead> | undefined {
    const inFlight = this.#reads.get(keyHash);
    return inFlight?.generation === this.#cache.generation ? inFlight.read : undefined;
  }

  /** Reads a key from the database, for others to join while it is in flight. */
  #read(keyHash: string): Promise<DatabaseRead> {
    const generation = this.#cache.generation;
    const read = findApiKeyByHash(this.#deps.db, keyHash, this.#deps.clock.now().toISOString()).then(
      (found) => ({ generation, found }),
    );
    const entry = { generation, read };
    this.#reads.set(keyHash, entry);
    const forget = (): void => {
      if (this.#reads.get(keyHash) === entry) this.#reads.delete(keyHash);
    };
    read.then(forget, forget);
    return read;
  }

  #lookUpEnded(client: string): void {
    const inFlight = this.#lookUpsInFlight.get(client);
    if (!inFlight) return;
    inFlight.count -= 1;
    if (inFlight.count === 0) this.#lookUpsInFlight.delete(client);
    // Every waiter asks again: the limiter decides which may start.
    for (const wake of inFlight.waiting.splice(0)) wake();
  }
}

/** Why a key that exists is refused at `now`, or undefined when it is active. */
export function refusalOf(apiKey: ApiKey, now: string): AppError | undefined {
  const described = `"${apiKey.name}" (${apiKey.prefix}…)`;
  const next = "Create a new key in Settings > API Keys, then run cogno login --token <key>.";
  if (apiKey.revokedAt === null && apiKey.expiresAt !== null && apiKey.expiresAt <= now) {
    return new AppError(
      "api_key_expired",
      `The API key ${described} expired at ${apiKey.expiresAt}. ${next}`,
    );
  }
  if (apiKey.revokedAt === null) return undefined;
  if (apiKey.revokedReason === "expired" || apiKey.revokedReason === "rolled") {
    const why =
      apiKey.revokedReason === "rolled" ? "was replaced by a roll and its grace window ended" : "expired";
    return new AppError("api_key_expired", `The API key ${described} ${why} at ${apiKey.revokedAt}. ${next}`);
  }
  const why =
    apiKey.revokedReason === "leaked"
      ? "was revoked because it was reported leaked"
      : apiKey.revokedReason === "member_removed"
        ? "was revoked when its owner left the workspace"
        : "was revoked";
  return new AppError("api_key_revoked", `The API key ${described} ${why}. ${next}`);
}
