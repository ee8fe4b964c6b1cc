/** cogno-server: reads the settings once, opens the database, builds the app, listens. */
import { fileURLToPath } from "node:url";
import { runBackupCommand } from "./admin/backup-command.ts";
import { listenForControl } from "./admin/control-socket.ts";
import { createApp, SHUTDOWN_MS } from "./app.ts";
import { systemClock } from "./clock.ts";
import { ConfigError, parseConfig } from "./config.ts";
import { backupSqlite } from "./db/backup.ts";
import { DataDirectoryError, migrateToLatest, openDatabase } from "./db/create-database.ts";
import { describeDatabaseError } from "./db/faults.ts";
import type { Deps } from "./deps.ts";
import { connectEvents } from "./events/connect.ts";
import { FailureLimiter } from "./http/failure-limiter.ts";
import { createLogger } from "./logging/logger.ts";
import { keepTickObjectShape } from "./runtime/tick-objects.ts";

declare const __COGNO_VERSION__: string | undefined;

async function main(): Promise<void> {
  // Before anything else runs: see runtime/tick-objects.ts.
  void keepTickObjectShape();
  const config = parseConfig(process.env, {
    webDir: fileURLToPath(new URL("../../web/dist", import.meta.url)),
    isTerminal: process.stdout.isTTY === true,
    // The bundle replaces the identifier with package.json's version.
    version: typeof __COGNO_VERSION__ === "string" ? __COGNO_VERSION__ : undefined,
  });
  const log = createLogger(config.logLevel, process.stdout, config.logFormat);
  const database = openDatabase(config, (error) =>
    log.warn(
      { error: describeDatabaseError(error) },
      "a database connection was lost; the next query opens a new one",
    ),
  );
  await migrateToLatest(database.db);
  const events = await connectEvents(database, log);
  const deps: Deps = {
    config,
    db: database.db,
    engine: database.engine,
    bus: events.bus,
    keyChanges: events.keyChanges,
    clock: systemClock,
    log,
    limiters: {
      login: new FailureLimiter(config.authFailuresPerMinute, systemClock),
      signup: new FailureLimiter(config.signupsPerMinute, systemClock, "this address", "sign-ups"),
    },
  };
  const app = await createApp(deps);
  // `cogno-server backup` asks this process for an online copy of its SQLite database.
  const control = database.sqlite
    ? await listenForControl(config.dataDir, async (request) => {
        const sqlite = database.sqlite;
        if (sqlite === undefined) return { ok: false, message: "not a SQLite database" };
        const result = await backupSqlite(sqlite, request.file);
        log.info({ file: result.file, bytes: result.bytes }, "online backup written");
        return { ok: true, ...result };
      })
    : undefined;
  // Fastify logs one line when it listens: make it the ready line, naming the URL and the next step.
  let readyLine = "";
  await app.http.listen({
    host: config.host,
    port: config.port,
    listenTextResolver: (address) => {
      readyLine = `Cogno server ready at ${address} (data: ${database.description}). Open it in a browser, sign up, then create a worker key in Settings > API Keys.`;
      return readyLine;
    },
  });
  // The ready line is part of the contract, so it is written even when info lines are turned off.
  if (!log.isLevelEnabled("info")) log.child({}, { level: "info" }).info(readyLine);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, "shutting down: workers are told to reconnect");
    // The drain is bounded; closing the bus and the database is too, even if the database hangs.
    setTimeout(() => {
      log.error(`shutdown did not finish in ${SHUTDOWN_MS + 1_000} ms; exiting now`);
      process.exit(1);
    }, SHUTDOWN_MS + 1_000).unref();
    app
      .shutDown()
      .then(() => control?.close())
      .then(() => events.close())
      .then(() => database.db.destroy())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[2] === "backup") {
  void runBackupCommand(process.argv.slice(3), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    error: (line) => process.stderr.write(`cogno-server: ${line}\n`),
  }).then((code) => process.exit(code));
} else {
  main().catch(exitOnStartFailure);
}

function exitOnStartFailure(error: unknown): never {
  // Errors a person can act on are shown as they are; anything else as a start-up failure.
  if (error instanceof ConfigError) {
    process.stderr.write(`cogno-server: ${error.message}\n`);
    process.exit(2);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    error instanceof DataDirectoryError
      ? `cogno-server: ${message}\n`
      : `cogno-server failed to start: ${message}\n`,
  );
  process.exit(1);
}
