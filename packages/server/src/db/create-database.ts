/**
 * Opens the one database the server uses: SQLite in the data directory by default, PostgreSQL when
 * a URL is configured. Everything above this module speaks Kysely and does not know which it got.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
} from "kysely";
import pg from "pg";
import { migrationProvider } from "./migrations.ts";
import type { Database } from "./schema.ts";

/** A problem with the data directory that the person starting the server can fix. */
export class DataDirectoryError extends Error {}

export class DataDirectoryInUseError extends DataDirectoryError {}

/** The database file and the files SQLite keeps beside it. */
const SQLITE_FILE = "cogno.sqlite";
const SQLITE_SIDE_FILES = ["-wal", "-shm", "-journal"];

export type DatabaseEngine = "sqlite" | "postgres";

export interface DatabaseHandle {
  db: Kysely<Database>;
  engine: DatabaseEngine;
  /** A description safe to log: the file, or the PostgreSQL host and database without credentials. */
  description: string;
  /** The raw connection string for PostgreSQL, used by the LISTEN/NOTIFY bus. */
  postgresUrl: string | undefined;
  /** The SQLite connection itself, for what Kysely does not do (the online backup). */
  sqlite: SqliteDatabase.Database | undefined;
}

export interface DatabaseSettings {
  dataDir: string;
  databaseUrl: string | undefined;
}

// PostgreSQL returns bigint (count(*)) as text; our counts are small, so parse them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/**
 * Nothing waits on PostgreSQL for ever: a request waits at most 20 s for a free connection (a burst
 * queues; it is not a fault), a new connection is made within 5 s (see QuickConnectClient), or the
 * request gets 503; the server cancels a statement after 30 s (generous, as migrations run through
 * the same pool); and a query whose server stopped answering altogether (a frozen machine, a dead
 * link) is given up 5 s later. Dead peers are found by TCP keep-alive.
 */
export const POSTGRES_POOL_SETTINGS = {
  connectionTimeoutMillis: 20_000,
  statement_timeout: 30_000,
  query_timeout: 35_000,
  idle_in_transaction_session_timeout: 60_000,
  keepAlive: true,
} satisfies pg.PoolConfig;

export function openDatabase(
  settings: DatabaseSettings,
  onConnectionLost: (error: Error) => void = () => {},
): DatabaseHandle {
  if (settings.databaseUrl) {
    const url = new URL(settings.databaseUrl);
    const pool = new pg.Pool({
      connectionString: settings.databaseUrl,
      max: 10,
      ...POSTGRES_POOL_SETTINGS,
      Client: QuickConnectClient,
    });
    // A connection that PostgreSQL ends (restart, failover, pg_terminate_backend) emits "error"; an
    // event nobody hears crashes the process. The pool hears it only for idle connections, so each
    // connection gets a listener of its own too, for while a query runs on it: that query fails
    // (and its request gets 503), pg drops the connection, and the next query opens a new one.
    pool.on("error", onConnectionLost);
    pool.on("connect", (client) => {
      client.on("error", () => {
        // Reported by the pool (idle) or by the query that failed (in use).
      });
    });
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      engine: "postgres",
      description: `postgres://${url.host}${url.pathname}`,
      postgresUrl: settings.databaseUrl,
      sqlite: undefined,
    };
  }
  const file = prepareDataDirectory(settings.dataDir);
  const sqlite = new SqliteDatabase(file);
  // One server per data directory: events between parts of the product travel in-process, so a
  // second process on the same file would never hear of a revocation. The exclusive lock (taken
  // here, released by the operating system if the process dies) makes that mistake a clear error.
  sqlite.pragma("locking_mode = EXCLUSIVE");
  sqlite.pragma("busy_timeout = 1000");
  try {
    sqlite.exec("BEGIN EXCLUSIVE; COMMIT;");
  } catch {
    sqlite.close();
    throw new DataDirectoryInUseError(
      `Another cogno-server is using the data directory ${settings.dataDir}. Stop it, or set COGNO_DATA_DIR to another directory.`,
    );
  }
  sqlite.pragma("journal_mode = WAL");
  // FULL: a write the API acknowledged survives a crash of the process or the machine.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialectKeepingCauses(sqlite) }),
    engine: "sqlite",
    description: file,
    postgresUrl: undefined,
    sqlite,
  };
}

/** The pool's timeout bounds the wait for a free connection; making a new one gets less. */
class QuickConnectClient extends pg.Client {
  constructor(config: pg.ClientConfig = {}) {
    super({ ...config, connectionTimeoutMillis: 5_000 });
  }
}

/**
 * SQLite ends a transaction itself when a statement fails with a full disk or an I/O error; the
 * ROLLBACK Kysely then sends fails with "cannot rollback - no transaction is active", and that
 * error replaced the real one: a full disk was logged as a thousand rollback failures. The rollback
 * is skipped when SQLite has already rolled back, so the cause reaches the caller.
 */
class SqliteDialectKeepingCauses extends SqliteDialect {
  readonly #sqlite: SqliteDatabase.Database;

  constructor(sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
    this.#sqlite = sqlite;
  }

  override createDriver(): Driver {
    const sqlite = this.#sqlite;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (sqlite.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: sqlite });
  }
}

/**
 * The data holds password hashes and key hashes: only the server's own user may read it. The
 * directory is 0700 and every file 0600, an existing looser directory included. The database file is
 * created 0600 before SQLite opens it, because SQLite gives its -wal and -shm files the mode of the
 * database file. Returns the database file's path.
 */
function prepareDataDirectory(dataDir: string): string {
  const file = path.join(dataDir, SQLITE_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    closeSync(openSync(file, "a", 0o600));
    for (const existing of [file, ...SQLITE_SIDE_FILES.map((suffix) => file + suffix)]) {
      if (existsSync(existing)) chmodSync(existing, 0o600);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataDirectoryError(
      `Cannot keep the data directory ${dataDir} private to this user (${reason}). Run cogno-server as the directory's owner, or set COGNO_DATA_DIR to a directory it owns.`,
    );
  }
  return file;
}

/** Brings the schema up to date. On PostgreSQL the migrator holds an advisory lock, so replicas starting together migrate once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ""} failed`, { cause: error });
  }
}

/** Whether a Kysely instance (or transaction) talks to PostgreSQL: for the few clauses SQLite lacks. */
export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
