/**
 * The gateway's writes to worker rows, batched: registrations and disconnects by group commit (a
 * fleet reconnecting after a restart, or a revocation closing 1,000 sockets, is a few transactions),
 * heartbeats once per interval in one transaction. Every write is guarded in the database (see
 * store.ts): a row of a revoked key is never registered or heartbeated, a replaced connection never
 * marks the row of its successor.
 */
import type { Kysely } from "kysely";
import { GroupCommit } from "../db/group-commit.ts";
import type { Database } from "../db/schema.ts";
import {
  type Disconnect,
  markWorkersDisconnected,
  type Registered,
  type Registration,
  upsertWorkersOnRegister,
  writeHeartbeats,
} from "./store.ts";

interface Heartbeat {
  workerId: string;
  connectionId: string;
  at: string;
}

export class PresenceWrites {
  readonly #db: Kysely<Database>;
  readonly #registrations: GroupCommit<Registration, Registered>;
  readonly #disconnects: GroupCommit<Disconnect, boolean>;
  readonly #heartbeats = new Set<Promise<void>>();

  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#registrations = new GroupCommit((batch) => upsertWorkersOnRegister(db, batch));
    this.#disconnects = new GroupCommit(async (batch) => {
      const changed = new Set(await markWorkersDisconnected(db, batch));
      return batch.map((item) => changed.has(item.workerId));
    });
  }

  /** Resolves once the row is committed: what it wrote, or undefined if the key was no longer active. */
  register(registration: Registration): Promise<Registered> {
    return this.#registrations.submit(registration);
  }

  /** Resolves once committed: whether the row changed (false when a newer connection owns it). */
  disconnect(disconnect: Disconnect): Promise<boolean> {
    return this.#disconnects.submit(disconnect);
  }

  heartbeats(beats: Heartbeat[]): Promise<void> {
    const write = writeHeartbeats(this.#db, beats);
    this.#heartbeats.add(write);
    const forget = () => this.#heartbeats.delete(write);
    write.then(forget, forget);
    return write;
  }

  /** Resolves once everything queued so far is written (or failed). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#heartbeats]);
    await this.#registrations.idle();
    await this.#disconnects.idle();
  }
}
