/**
 * Whether the database can serve, as /readyz tells a load balancer, and what the log says while it
 * cannot: the first fault of an outage clearly, then a count once a minute, then when it is back,
 * instead of one line per failed request.
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

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface DatabaseHealth {
  /** Checks the database within READY_TIMEOUT_MS. */
  checkReady(): Promise<Readiness>;
  /** A request met a database fault: logged once per outage. */
  reportFault(fault: DatabaseFault, error: unknown): void;
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

  const recovered = (): void => {
    if (!outage) return;
    deps.log.info(
      { fault: outage.fault, refused: outage.refused, lastedMs: now() - outage.startedAt },
      "the database serves again",
    );
    outage = undefined;
  };

  const probe = async (): Promise<Readiness> => {
    try {
      await sql`select 1`.execute(deps.db);
      recovered();
      return { ready: true };
    } catch (error) {
      const fault = databaseFaultOf(error) ?? "unreachable";
      reportFault(fault, error);
      return { ready: false, reason: "the database does not answer" };
    }
  };

  return {
    async checkReady() {
      check ??= probe().finally(() => {
        check = undefined;
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<Readiness>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({ ready: false, reason: `the database did not answer within ${READY_TIMEOUT_MS} ms` }),
          READY_TIMEOUT_MS,
        );
      });
      const readiness = await Promise.race([check, timedOut]);
      clearTimeout(timer);
      return readiness;
    },
    reportFault,
  };
}
