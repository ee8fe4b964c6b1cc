/**
 * The global set-up of the server's in-process tests: names the run's PostgreSQL databases
 * (migrated-databases.ts) and drops them all when the run ends, whatever its tests left.
 */
import type { TestProject } from "vitest/node";
import { dropDatabasesOfRun } from "./migrated-databases.ts";

const prefix = `cogno_unit_${Date.now().toString(36)}_`;

export function setup(project: TestProject): void {
  project.provide("databasePrefix", prefix);
}

export async function teardown(): Promise<void> {
  if (process.env.COGNO_TEST_DATABASE === "postgres") await dropDatabasesOfRun(prefix);
}
