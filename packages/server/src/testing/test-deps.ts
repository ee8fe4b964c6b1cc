/**
 * Real dependencies for in-process tests: a fresh SQLite database in a temporary directory, the
 * in-process bus, a settable clock and a logger that writes nowhere. No mocks: the same code paths
 * as the server, minus HTTP.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Clock } from "../clock.ts";
import { parseConfig } from "../config.ts";
import { migrateToLatest, openDatabase } from "../db/create-database.ts";
import type { Deps } from "../deps.ts";
import { createInProcessBus, type DomainEvent } from "../events/bus.ts";
import { createInProcessKeyChangeFeed, type KeyChange } from "../events/key-changes.ts";
import { FailureLimiter } from "../http/failure-limiter.ts";
import { createLogger } from "../logging/logger.ts";
import { giveBack, takeDatabase } from "./migrated-databases.ts";

export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.parse("2026-06-01T12:00:00.000Z")) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface TestDeps extends Deps {
  clock: ManualClock;
  dataDir: string;
  events: DomainEvent[];
  keyChangesSeen: KeyChange[];
  cleanup(): Promise<void>;
}

/**
 * The suite runs on SQLite, and again on PostgreSQL when COGNO_TEST_DATABASE=postgres (as npm test
 * does): then each test gets a database of its own on the local server.
 */
export async function createTestDeps(settings: Record<string, string> = {}): Promise<TestDeps> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "cogno-unit-"));
  const postgresUrl = process.env.COGNO_TEST_DATABASE === "postgres" ? await takeDatabase() : undefined;
  const config = parseConfig(
    {
      COGNO_DATA_DIR: dataDir,
      COGNO_AUTH_FAILURES_PER_MINUTE: "5",
      ...(postgresUrl ? { COGNO_DATABASE_URL: postgresUrl } : {}),
      ...settings,
    },
    { webDir: dataDir, isTerminal: false },
  );
  const database = openDatabase(config);
  await migrateToLatest(database.db);
  const clock = new ManualClock();
  const events: DomainEvent[] = [];
  const bus = createInProcessBus((error) => {
    throw error;
  });
  bus.subscribe((event) => events.push(event));
  const keyChanges = createInProcessKeyChangeFeed((error) => {
    throw error;
  });
  const keyChangesSeen: KeyChange[] = [];
  keyChanges.subscribe((change) => keyChangesSeen.push(change));
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  return {
    config,
    db: database.db,
    engine: database.engine,
    bus,
    keyChanges,
    clock,
    log: createLogger("silent", nowhere),
    limiters: {
      login: new FailureLimiter(5, clock),
      signup: new FailureLimiter(config.signupsPerMinute, clock, "this address", "sign-ups"),
    },
    dataDir,
    events,
    keyChangesSeen,
    async cleanup() {
      await database.db.destroy().catch(() => {}); // a test may have closed it already
      if (postgresUrl !== undefined) await giveBack(postgresUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `deps` with a small built web app (a page and one script) in its data directory, served as the
 * real build would be: for tests of what pages and the web app's files get.
 */
export function withBuiltWebApp(deps: TestDeps): TestDeps {
  const webDir = path.join(deps.dataDir, "web");
  mkdirSync(path.join(webDir, "assets"), { recursive: true });
  writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>Cogno</title>");
  writeFileSync(path.join(webDir, "assets", "app.js"), "console.log(1);");
  return { ...deps, config: { ...deps.config, webDir } };
}
