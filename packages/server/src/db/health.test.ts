import { statSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../logging/logger.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createDatabaseHealth, MAINTENANCE_EVERY_MS } from "./health.ts";

let deps: TestDeps;
let lines: { level: number; msg: string; refused?: number }[];

beforeEach(async () => {
  deps = await createTestDeps();
  lines = [];
  const capture = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  deps.log = createLogger("info", capture);
});

afterEach(async () => {
  await deps.cleanup();
});

const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });

describe("createDatabaseHealth", () => {
  it("regression: logged a line per failed request (1,099 for one full disk); now the first fault, a count a minute, and the recovery", async () => {
    const health = createDatabaseHealth(deps);
    for (let i = 0; i < 500; i++) {
      health.reportFault("cannot_write", full);
      deps.clock.advance(100);
    }
    expect(lines.map((line) => line.level)).toEqual([50]);
    expect(lines[0]?.msg).toMatch(/cannot write \(is the disk full\?\)/);
    expect(JSON.stringify(lines[0])).toContain("database or disk is full");

    for (let i = 0; i < 200; i++) {
      health.reportFault("cannot_write", full);
      deps.clock.advance(100);
    }
    expect(lines.map((line) => line.level)).toEqual([50, 40]);
    expect(lines[1]?.refused).toBe(600); // the 2nd to the 601st, a minute after the first

    expect(await health.checkReady()).toEqual({ ready: true });
    expect(lines.map((line) => line.level)).toEqual([50, 40, 30]);
    expect(lines[2]?.msg).toBe("the database serves again");
    expect(await health.checkReady()).toEqual({ ready: true });
    expect(lines).toHaveLength(3);
  });

  it("starts a new outage after a quiet spell, so a fault days later is logged again", () => {
    const health = createDatabaseHealth(deps);
    health.reportFault("unreachable", new Error("Connection terminated unexpectedly"));
    deps.clock.advance(31_000);
    health.reportFault("unreachable", new Error("Connection terminated unexpectedly"));
    expect(lines.map((line) => line.level)).toEqual([50, 50]);
  });

  it("says not ready when the database does not answer", async () => {
    const health = createDatabaseHealth(deps);
    await deps.db.destroy();
    const readiness = await health.checkReady();
    expect(readiness.ready).toBe(false);
  });

  it.skipIf(process.env.COGNO_TEST_DATABASE === "postgres")(
    "regression: SQLite's write-ahead log was never truncated (4 MB kept); now once a minute",
    async () => {
      const wal = path.join(deps.dataDir, "cogno.sqlite-wal");
      await sql`create table filler (data blob)`.execute(deps.db);
      for (let i = 0; i < 20; i++)
        await sql`insert into filler (data) values (zeroblob(20000))`.execute(deps.db);
      expect(statSync(wal).size).toBeGreaterThan(400_000);
      vi.useFakeTimers({ toFake: ["setInterval"] });
      const health = createDatabaseHealth(deps);
      try {
        health.start();
        vi.advanceTimersByTime(MAINTENANCE_EVERY_MS);
        vi.useRealTimers();
        const deadline = Date.now() + 2_000;
        while (statSync(wal).size > 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 10));
        expect(statSync(wal).size).toBe(0);
      } finally {
        health.stop();
        vi.useRealTimers();
      }
    },
  );

  it.skipIf(process.env.COGNO_TEST_DATABASE === "postgres")(
    "says why it is not ready when SQLite cannot write",
    async () => {
      const health = createDatabaseHealth(deps);
      await sql`create table filler (data blob)`.execute(deps.db);
      // A read-only database fails writes as a full or broken disk does.
      await sql`PRAGMA query_only = ON`.execute(deps.db);
      const readiness = await health.checkReady();
      expect(readiness).toMatchObject({ ready: false, fault: "cannot_write" });
      await sql`PRAGMA query_only = OFF`.execute(deps.db);
      expect(await health.checkReady()).toEqual({ ready: true });
    },
  );
});
