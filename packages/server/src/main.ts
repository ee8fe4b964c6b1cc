/** cogno-server: reads the settings once, opens the database, builds the app, listens. */
import { fileURLToPath } from "node:url";
import { createApp, SHUTDOWN_MS } from "./app.ts";
import { systemClock } from "./clock.ts";
import { ConfigError, parseConfig } from "./config.ts";
import { DataDirectoryError, migrateToLatest, openDatabase } from "./db/create-database.ts";
import { describeDatabaseError } from "./db/faults.ts";
import type { Deps } from "./deps.ts";
import { createInProcessBus, type EventBus } from "./events/bus.ts";
import { createPostgresBus } from "./events/postgres-bus.ts";
import { FailureLimiter } from "./http/failure-limiter.ts";
import { createLogger } from "./logging/logger.ts";

async function main(): Promise<void> {
  const config = parseConfig(process.env, {
    webDir: fileURLToPath(new URL("../../web/dist", import.meta.url)),
    isTerminal: process.stdout.isTTY === true,
  });
  const log = createLogger(config.logLevel, process.stdout, config.logFormat);
  const database = openDatabase(config, (error) =>
    log.warn(
      { error: describeDatabaseError(error) },
      "a database connection was lost; the next query opens a new one",
    ),
  );
  await migrateToLatest(database.db);
  const bus: EventBus = database.postgresUrl
    ? await createPostgresBus(database.postgresUrl, log)
    : createInProcessBus((error, event) =>
        log.error({ err: error, event: event.type }, "event listener failed"),
      );
  const deps: Deps = {
    config,
    db: database.db,
    engine: database.engine,
    bus,
    clock: systemClock,
    log,
    limiters: {
      login: new FailureLimiter(config.authFailuresPerMinute, systemClock),
      bearer: new FailureLimiter(config.authFailuresPerMinute, systemClock),
      signup: new FailureLimiter(config.signupsPerMinute, systemClock, "sign-ups"),
    },
  };
  const app = await createApp(deps);
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
      .then(() => bus.close())
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

main().catch((error: unknown) => {
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
});
