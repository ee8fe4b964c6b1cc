import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./create-database.ts";

const scratch: string[] = [];

afterEach(() => {
  for (const directory of scratch.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function scratchDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), "cogno-db-"));
  scratch.push(directory);
  return directory;
}

function modeOf(file: string): string {
  return (statSync(file).mode & 0o777).toString(8);
}

/** Opens the SQLite database in the data directory, writes once, and reports every file's mode. */
async function openWriteAndList(dataDir: string): Promise<Record<string, string>> {
  const database = openDatabase({ dataDir, databaseUrl: undefined });
  try {
    await sql`create table if not exists probe (id integer)`.execute(database.db);
    await sql`insert into probe (id) values (1)`.execute(database.db);
    const modes: Record<string, string> = { ".": modeOf(dataDir) };
    for (const name of readdirSync(dataDir)) modes[name] = modeOf(path.join(dataDir, name));
    return modes;
  } finally {
    await database.db.destroy();
  }
}

describe("the SQLite data directory", () => {
  it("regression: data files were 0644; a new directory is 0700 and every file in it 0600", async () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = path.join(scratchDirectory(), "new");
      const modes = await openWriteAndList(dataDir);
      expect(modes).toEqual({ ".": "700", "cogno.sqlite": "600", "cogno.sqlite-wal": "600" });
    } finally {
      process.umask(previous);
    }
  });

  it("regression: an existing directory and files left readable by others are tightened at start", async () => {
    const dataDir = scratchDirectory();
    chmodSync(dataDir, 0o755);
    await openWriteAndList(dataDir);
    for (const name of ["cogno.sqlite", "cogno.sqlite-wal", "cogno.sqlite-shm", "cogno.sqlite-journal"]) {
      closeSync(openSync(path.join(dataDir, name), "a"));
      chmodSync(path.join(dataDir, name), 0o644);
    }
    chmodSync(dataDir, 0o777);
    const modes = await openWriteAndList(dataDir);
    expect(modes["."]).toBe("700");
    for (const [name, mode] of Object.entries(modes))
      if (name !== ".") expect([name, mode]).toEqual([name, "600"]);
  });

  it("creates missing parent directories", async () => {
    const dataDir = path.join(scratchDirectory(), "a", "b");
    mkdirSync(path.dirname(dataDir), { recursive: true });
    expect((await openWriteAndList(dataDir))["."]).toBe("700");
  });
});

describe("SQLite transactions", () => {
  it("regression: a statement SQLite rolled back itself (full disk) was reported as 'cannot rollback - no transaction is active'", async () => {
    const database = openDatabase({ dataDir: scratchDirectory(), databaseUrl: undefined });
    try {
      await sql`create table filler (data blob)`.execute(database.db);
      const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(database.db);
      // A database that may not grow fails its next large write as a full disk does.
      await sql.raw(`PRAGMA max_page_count = ${rows[0]?.page_count ?? 0}`).execute(database.db);
      const failure = await database.db
        .transaction()
        .execute(async (trx) => {
          await sql`insert into filler (data) values (zeroblob(1000000))`.execute(trx);
        })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: "SQLITE_FULL", message: "database or disk is full" });
      // The connection is usable afterwards: no transaction was left open.
      expect((await sql<{ n: number }>`select count(*) as n from filler`.execute(database.db)).rows).toEqual([
        { n: 0 },
      ]);
    } finally {
      await database.db.destroy();
    }
  });
});
