import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { DatabaseEngine } from "./db/create-database.ts";
import type { Database } from "./db/schema.ts";
import type { EventBus } from "./events/bus.ts";
import type { KeyChangeFeed } from "./events/key-changes.ts";
import type { FailureLimiter } from "./http/failure-limiter.ts";

/** Everything a domain needs from the outside world, built once in main.ts (STYLE rule 6). */
export interface Deps {
  config: Config;
  db: Kysely<Database>;
  engine: DatabaseEngine;
  bus: EventBus;
  /** Key revocations and changes, acknowledged by every replica (events/key-changes.ts). */
  keyChanges: KeyChangeFeed;
  clock: Clock;
  log: Logger;
  limiters: { login: FailureLimiter; signup: FailureLimiter };
}
