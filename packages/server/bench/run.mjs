/**
 * `npm run bench`: the quality bars of SPEC.md, each figure printed beside a baseline measured in
 * the same run. A missed target is reported, not fatal; an error (a server that will not start, a
 * request that fails, a run over its time limit) exits non-zero after stopping everything started.
 *
 * PostgreSQL: COGNO_BENCH_POSTGRES_URL names a loopback server and a database to connect to for
 * creating the run's own database (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import os from "node:os";
import { stopAllChildren } from "./children.mjs";
import { benchFleet } from "./fleet-scenario.mjs";
import { benchPostgres } from "./postgres-scenario.mjs";
import { printReport } from "./report.mjs";
import { benchSqlite } from "./sqlite-scenario.mjs";

/** `--smoke` (`npm run bench:smoke`; or COGNO_BENCH_SMOKE=1): every step once, tiny and short, so CI proves the bench still runs (figures meaningless). */
const smoke = process.argv.includes("--smoke") || process.env.COGNO_BENCH_SMOKE === "1";
const settings = {
  smoke,
  /** Load generator: concurrent keep-alive connections. */
  connections: smoke ? 4 : 32,
  /**
   * Throughput is measured in passes, the routes (or processes) compared taking turns, so that a
   * machine whose speed drifts over minutes drifts under all of them alike. Each pass warms up first.
   */
  passWarmupMs: smoke ? 200 : 500,
  /** (a) and (d): whoami, /healthz and the minimal route, each measured this long in all, over the passes. */
  durationMs: smoke ? 500 : 6_000,
  throughputPasses: smoke ? 1 : 3,
  /**
   * whoami's CPU per request on this many fresh server processes, each pass this long: more passes
   * than the routes', shorter, since each process's figure is its cheapest pass (a process slow for
   * its whole life is slow in all; more passes, more chances to find the machine quiet).
   */
  whoamiProcesses: smoke ? 2 : 4,
  whoamiPasses: smoke ? 1 : 5,
  whoamiPassMs: smoke ? 500 : 1_200,
  fleetSize: smoke ? 20 : 1_000,
  /** Fan-out is measured this many times, each with a fresh fleet; the median is the figure. */
  fanoutRounds: smoke ? 1 : 3,
  warmupFleetSize: smoke ? 5 : 50,
  settleMs: smoke ? 200 : 1_000,
  /** How long the link between replica C and PostgreSQL stays cut (a database restart). */
  outageMs: 1_000,
  /** The fleet figures (fleet-scenario.mjs). */
  stormSize: smoke ? 50 : 1_000,
  stormRounds: smoke ? 1 : 3,
  heldFleetSize: smoke ? 200 : 10_000,
  restartFleetSize: smoke ? 50 : 1_000,
  postgresAdminUrl: process.env.COGNO_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
};
const RUN_LIMIT_MS = 400_000;
/** COGNO_BENCH_ONLY=sqlite,fleet runs those scenarios only (default: all). */
const only = new Set((process.env.COGNO_BENCH_ONLY ?? "sqlite,postgres,fleet").split(","));

const cleanups = [];
async function cleanUp() {
  const failures = [];
  await stopAllChildren();
  // Newest first: servers stop before their database is dropped and their directory removed.
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup();
    } catch (error) {
      failures.push(error);
    }
  }
  return failures;
}

async function main() {
  const startedAt = performance.now();
  const loadAtStart = os.loadavg()[0];
  const results = {};
  let failure;
  let stopReason;
  // Over time or interrupted: stopping the children makes the running step fail, so the usual path
  // below still cleans up and prints what was measured; the hard exit is for a step that hangs anyway.
  const stopEarly = (reason, exitCode) => {
    if (stopReason) return;
    stopReason = reason;
    void stopAllChildren();
    setTimeout(() => void cleanUp().finally(() => process.exit(exitCode)), 15_000).unref();
  };
  const watchdog = setTimeout(
    () => stopEarly(`still running after ${RUN_LIMIT_MS / 1000} s`, 1),
    RUN_LIMIT_MS,
  );
  process.once("SIGINT", () => stopEarly("interrupted", 130));

  try {
    if (only.has("sqlite")) {
      console.log("bench: SQLite, one server …");
      results.sqlite = await benchSqlite(settings, cleanups);
    }
    if (only.has("postgres")) {
      console.log("bench: PostgreSQL, two replicas …");
      results.postgres = await benchPostgres(settings, cleanups);
    }
    if (only.has("fleet")) {
      console.log("bench: fleets on SQLite (registration storm, 10,000 workers, restart) …");
      results.fleet = await benchFleet(settings, cleanups);
    }
  } catch (error) {
    failure = stopReason ? new Error(`bench stopped: ${stopReason}`) : error;
  }
  const cleanupFailures = await cleanUp();
  clearTimeout(watchdog);
  printReport({ results, settings, startedAt, loadAtStart });
  for (const error of [failure, ...cleanupFailures].filter(Boolean)) {
    console.error(`\nbench error: ${error instanceof Error ? error.stack : error}`);
  }
  process.exitCode = stopReason === "interrupted" ? 130 : failure || cleanupFailures.length > 0 ? 1 : 0;
}

await main();
