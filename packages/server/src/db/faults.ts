/**
 * Which errors mean "the database cannot serve right now" rather than "this request is wrong": a
 * connection lost or refused, a query that ran out of time, a disk that is full. Requests that meet
 * one are answered 503 with a hint to retry (http/error-handler.ts), not 500, and the fault is
 * logged once per outage instead of once per request (db/health.ts).
 */

export type DatabaseFault =
  /** PostgreSQL cannot be reached, refused the connection, ended it, or did not answer in time. */
  | "unreachable"
  /** The database answers but cannot write: a full disk, a read-only or failing file system. */
  | "cannot_write";

/** PostgreSQL SQLSTATE classes and codes of a server that is going away or out of resources. */
const POSTGRES_UNREACHABLE = [
  /^08/, // connection exception
  /^57P0[1-4]$/, // admin shutdown, crash shutdown, cannot connect now, database dropped
  /^53300$/, // too many connections
  /^57014$/, // query canceled (the statement timeout)
  /^55000$/, // object not in prerequisite state: "database is not currently accepting connections"
];
const POSTGRES_CANNOT_WRITE = [/^53100$/, /^53200$/, /^58030$/]; // disk full, out of memory, I/O error

/** Node's network errors, met while connecting or talking to PostgreSQL. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/** What the pg driver and its pool say, in messages only (they carry no code). */
const PG_CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /is not queryable$/,
  /^Client was closed/,
  /^Cannot use a pool after calling end on the pool$/,
];

/** SQLite's result codes (better-sqlite3 puts them in `code`). */
const SQLITE_CANNOT_WRITE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/;

export function databaseFaultOf(error: unknown): DatabaseFault | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (SQLITE_CANNOT_WRITE.test(code)) return "cannot_write";
    if (NETWORK_CODES.has(code)) return "unreachable";
    if (/^[0-9A-Z]{5}$/.test(code)) {
      if (POSTGRES_CANNOT_WRITE.some((pattern) => pattern.test(code))) return "cannot_write";
      if (POSTGRES_UNREACHABLE.some((pattern) => pattern.test(code))) return "unreachable";
    }
  }
  if (PG_CLIENT_MESSAGES.some((pattern) => pattern.test(error.message))) return "unreachable";
  // A fault met on the way can be wrapped (AggregateError of a failed connect, an error's cause).
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const fault = databaseFaultOf(inner);
      if (fault) return fault;
    }
  }
  return error.cause === undefined ? undefined : databaseFaultOf(error.cause);
}

/** A line for a log: what the fault was, without the objects the driver hangs on its errors. */
export function describeDatabaseError(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { message: error.message, code } : { message: error.message };
}
