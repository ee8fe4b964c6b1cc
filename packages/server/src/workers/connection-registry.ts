/**
 * The connections this replica holds, indexed the ways the gateway looks them up: by key (a
 * revocation, an expiry, the per-key cap), by worker (a machine that connected again, a stop from
 * the web app). Each index entry disappears with its last connection, so an idle key or a gone
 * worker costs nothing.
 */
import type { Connection } from "./connection.ts";

const NONE: ReadonlySet<Connection> = new Set();

export class ConnectionRegistry {
  readonly #all = new Set<Connection>();
  readonly #byKey = new Map<string, Set<Connection>>();
  readonly #byWorker = new Map<string, Set<Connection>>();

  get size(): number {
    return this.#all.size;
  }

  [Symbol.iterator](): IterableIterator<Connection> {
    return this.#all.values();
  }

  add(connection: Connection): void {
    this.#all.add(connection);
    addTo(this.#byKey, connection.apiKey.id, connection);
  }

  /** Indexes a connection under the worker row it registered as. */
  attachWorker(connection: Connection, workerId: string): void {
    connection.workerId = workerId;
    if (this.#all.has(connection)) addTo(this.#byWorker, workerId, connection);
  }

  remove(connection: Connection): void {
    this.#all.delete(connection);
    removeFrom(this.#byKey, connection.apiKey.id, connection);
    if (connection.workerId !== undefined) removeFrom(this.#byWorker, connection.workerId, connection);
  }

  ofKey(keyId: string): ReadonlySet<Connection> {
    return this.#byKey.get(keyId) ?? NONE;
  }

  ofWorker(workerId: string): ReadonlySet<Connection> {
    return this.#byWorker.get(workerId) ?? NONE;
  }

  countOfKey(keyId: string): number {
    return this.#byKey.get(keyId)?.size ?? 0;
  }

  /** The keys with at least one connection here. */
  keyIds(): IterableIterator<string> {
    return this.#byKey.keys();
  }
}

function addTo(map: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(connection);
}

function removeFrom(map: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(connection);
  if (set.size === 0) map.delete(key);
}
