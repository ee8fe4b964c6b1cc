/** The databases the PostgreSQL run of these tests shares out: each test's as if newly migrated. */
import { sql } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { recordKeyChange } from "../events/key-change-log.ts";
import { createTestDeps } from "./test-deps.ts";

const thisDatabase = sql<{ oid: number }>`SELECT oid FROM pg_database WHERE datname = current_database()`;

const change: Parameters<typeof recordKeyChange>[1] = {
  keyIds: ["key_a"],
  change: "revoked",
  reason: "revoked",
  at: "2026-06-01T12:00:00.000Z",
};

describe.runIf(process.env.COGNO_TEST_DATABASE === "postgres")("a database given back after a test", () => {
  it("comes back empty, sequences restarted, under a name its last test can no longer reach", async () => {
    const first = await createTestDeps();
    const firstUrl = first.config.databaseUrl ?? "";
    const [firstDatabase] = (await thisDatabase.execute(first.db)).rows;
    expect((await recordKeyChange(first.db, change)).seq).toBe(1);
    expect((await recordKeyChange(first.db, change)).seq).toBe(2);
    // A connection the test forgot to close.
    const leftOpen = new pg.Client({ connectionString: firstUrl });
    leftOpen.on("error", () => {});
    await leftOpen.connect();
    await first.cleanup();

    await expect(leftOpen.query("SELECT 1")).rejects.toThrow();
    const reconnecting = new pg.Client({ connectionString: firstUrl });
    await expect(reconnecting.connect()).rejects.toMatchObject({ code: "3D000" }); // no such database

    const second = await createTestDeps();
    try {
      expect(second.config.databaseUrl).not.toBe(firstUrl);
      expect((await thisDatabase.execute(second.db)).rows).toEqual([firstDatabase]); // the same one, renamed
      expect(await second.db.selectFrom("key_changes").selectAll().execute()).toEqual([]);
      expect((await recordKeyChange(second.db, change)).seq).toBe(1);
    } finally {
      await second.cleanup();
    }
  });
});
