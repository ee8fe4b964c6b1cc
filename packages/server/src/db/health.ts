/**
 * Whether the database can serve, as /readyz tells a load balancer, and what the log says while it
 * cannot: the first fault of an outage clearly, then a count once a minute, then when it is back,
 * instead of one line per failed request. On SQLite, "can serve" means "can write" (a full disk
 * still answers reads), and the write-ahead log is truncated once a minute and after an outage, so
 * it gives back the disk space it took.
 */
import { type Kysely, sql } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import type { DatabaseEngine } from "./create-database.ts";
import { type DatabaseFault, databaseFaultOf, describeDatabaseError } from "./faults.ts";
import type { Database } from "./schema.ts";

/** /readyz answers within this, even while the database does not answer at all. */
export const READY_TIMEOUT_MS = 2_000;
/** While an outage lasts, how often the log says how many requests it refused. */
const OUTAGE_REPORT_EVERY_MS = 60_000;
/** An outage is over once no fault was met for this long (or a readiness check passes). */
const OUTAGE_QUIET_MS = 30_000;
/**
 * How often SQLite's write-ahead log is checkpointed and truncated (SQLite's own checkpoints move the
 * pages but keep the file's size), and the write probe runs, so a recovery is noticed unasked.
 */
export const MAINTENANCE_EVERY_MS = 60_000;

export type Readiness = { ready: true } | { ready: false; fault: DatabaseFault; reason: string };

export interface DatabaseHealth {
  /** Checks the database within READY_TIMEOUT_MS: on SQLite with a write. */
  checkReady(): Promise<Readiness>;
  /** A request met a database fault: logged once per outage. */
  reportFault(fault: DatabaseFault, error: unknown): void;
  /** Starts the periodic checkpoint and write probe (SQLite). */
  start(): void;
  stop(): void;
}

export interface DatabaseHealthDeps {
  db: Kysely<Database>;
  engine: DatabaseEngine;
  clock: Clock;
  log: Logger;
}

interface Outage {
  fault: DatabaseFault;
  startedAt: number;
  lastFaultAt: number;
  lastReportAt: number;
  refusedSinceReport: number;
  refused: number;
}

export function createDatabaseHealth(deps: DatabaseHealthDeps): DatabaseHealth {
  let outage: Outage | undefined;
  /** One check at a time: a database that hangs must not collect a query per probe. */
  let check: Promise<Readiness> | undefined;

  const now = (): number => deps.clock.now().getTime();

  const reportFault = (fault: DatabaseFault, error: unknown): void => {
    const at = now();
    if (outage && at - outage.lastFaultAt < OUTAGE_QUIET_MS) {
      outage.lastFaultAt = at;
      outage.refused += 1;
      outage.refusedSinceReport += 1;
      if (at - outage.lastReportAt >= OUTAGE_REPORT_EVERY_MS) {
        deps.log.warn(
          { fault, refused: outage.refusedSinceReport, error: describeDatabaseError(error) },
          "the database is still failing: requests are answered 503",
        );
        outage.lastReportAt = at;
        outage.refusedSinceReport = 0;
      }
      return;
    }
    outage = { fault, startedAt: at, lastFaultAt: at, lastReportAt: at, refusedSinceReport: 0, refused: 1 };
    deps.log.error(
      { fault, error: describeDatabaseError(error) },
      fault === "cannot_write"
        ? "the database cannot write (is the disk full?): requests that write are answered 503 until it can"
        : "the database cannot be reached: requests are answered 503 until it is back",
    );
  };

  const checkpoint = async (): Promise<void> => {
    if (deps.engine !== "sqlite") return;
    try {
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(deps.db);
    } catch (error) {
      deps.log.debug({ error: describeDatabaseError(error) }, "could not checkpoint the write-ahead log");
    }
  };

  const recovered = (): void => {
    if (!outage) return;
    deps.log.info(
      { fault: outage.fault, refused: outage.refused, lastedMs: now() - outage.startedAt },
      "the database serves again",
    );
    outage = undefined;
    // Give back the space the log took while writes failed and were retried.
    void checkpoint();
  };

  const probe = async (): Promise<Readiness> => {
    try {
      if (deps.engine === "sqlite") await probeWrite(deps.db);
      else await sql`select 1`.execute(deps.db);
      recovered();
      return { ready: true };
    } catch (error) {
      const fault = databaseFaultOf(error) ?? "unreachable";
      reportFault(fault, error);
      const { message } = describeDatabaseError(error);
      return {
        ready: false,
        fault,
        reason: fault === "cannot_write" ? `cannot write: ${message}` : "the database does not answer",
      };
    }
  };

  const singleProbe = (): Promise<Readiness> => {
    check ??= probe().finally(() => {
      check = undefined;
    });
    return check;
  };

  let timer: NodeJS.Timeout | undefined;

  return {
    async checkReady() {
      let deadline: NodeJS.Timeout | undefined;
      const timedOut = new Promise<Readiness>((resolve) => {
        deadline = setTimeout(
          () =>
            resolve({
              ready: false,
              fault: "unreachable",
              reason: `the database did not answer within ${READY_TIMEOUT_MS} ms`,
            }),
          READY_TIMEOUT_MS,
        );
      });
      const readiness = await Promise.race([singleProbe(), timedOut]);
      clearTimeout(deadline);
      return readiness;
    },
    reportFault,
    start() {
      if (deps.engine !== "sqlite" || timer) return;
      timer = setInterval(() => {
        void singleProbe().then((readiness) => (readiness.ready ? checkpoint() : undefined));
      }, MAINTENANCE_EVERY_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * A write that needs no table of its own (and so no migration): the database header's user
 * version, set to what it is. It appends a page to the write-ahead log, so it fails like any other
 * write when the disk is full.
 */
async function probeWrite(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
  const version = Number(rows[0]?.user_version ?? 0);
  if (!Number.isSafeInteger(version)) throw new Error("PRAGMA user_version is not an integer");
  await sql.raw(`PRAGMA user_version = ${version}`).execute(db);
}
