#!/usr/bin/env node
// The whole test suite, in the order CI needs: lint, types, build, unit tests, then the end-to-end
// suites that start real servers, CLIs and a browser: once on SQLite and once on PostgreSQL.
// Ends with how long each step took and one line counting every test:
// "tests: N passed, N failed, N skipped".
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const reports = path.join(root, "node_modules", ".cache", "cogno-test-reports");
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const only = process.argv[2]; // optional: "unit" or "e2e"
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];
const stepTimes = [];

function run(title, command, args, env = {}) {
  console.log(`\n━━ ${title}`);
  const startedAt = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  stepTimes.push(`${title} ${Math.round((performance.now() - startedAt) / 1000)} s`);
  if (result.status !== 0) failedSteps.push(title);
  return result.status === 0;
}

function vitest(title, args, env = {}) {
  const report = path.join(reports, `${title.replace(/\W+/g, "-")}.json`);
  run(
    title,
    "npx",
    ["vitest", "run", ...args, "--reporter=default", "--reporter=json", `--outputFile=${report}`],
    env,
  );
  try {
    const summary = JSON.parse(readFileSync(report, "utf8"));
    totals.passed += summary.numPassedTests;
    totals.failed += summary.numFailedTests;
    totals.skipped += summary.numPendingTests + summary.numTodoTests;
  } catch {
    totals.failed += 1; // the runner died before it could report: count that as a failure
  }
}

if (only !== "e2e") {
  run("lint", "npm", ["run", "lint"]);
  run("typecheck", "npm", ["run", "typecheck"]);
}
const built = run("build", "npm", ["run", "build"]);
if (only !== "e2e") {
  for (const pkg of ["protocol", "server", "cli", "web"]) {
    vitest(`unit ${pkg}`, ["--root", `packages/${pkg}`]);
  }
  // The server's in-process tests touch the database: run them on PostgreSQL too.
  vitest("unit server on PostgreSQL", ["--root", "packages/server"], { COGNO_TEST_DATABASE: "postgres" });
}
if (only !== "e2e" && built) {
  // Every bench step once, tiny, so the bench cannot rot; it asserts no timing.
  run("bench smoke", "node", ["packages/server/bench/run.mjs", "--smoke"]);
}
if (only !== "unit" && built) {
  vitest("e2e on SQLite", ["--config", "e2e/vitest.config.ts"], { COGNO_TEST_DATABASE: "sqlite" });
  vitest("e2e on PostgreSQL", ["--config", "e2e/vitest.config.ts"], {
    COGNO_TEST_DATABASE: "postgres",
    COGNO_TEST_RESTART_POSTGRES: "0",
  });
  // Real restarts of the machine's PostgreSQL, alone and last, where nothing else uses it (CI).
  if (process.env.COGNO_TEST_RESTART_POSTGRES === "1") {
    vitest(
      "e2e: PostgreSQL restarts",
      ["--config", "e2e/vitest.config.ts", "e2e/faults/postgres-restart.test.ts"],
      {
        COGNO_TEST_DATABASE: "postgres",
      },
    );
  }
}

console.log(`\nsteps: ${stepTimes.join(", ")}`);
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join(", ")}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length > 0 || totals.failed > 0 ? 1 : 0);
