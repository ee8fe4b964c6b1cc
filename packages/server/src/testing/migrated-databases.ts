/**
 * PostgreSQL databases for the server's in-process tests, emptied and handed out again. Making and
 * migrating a database for every test cost about 0.4 s each on a two-core machine, most of the
 * PostgreSQL run; emptying one costs about 50 ms, and migrating it again only reads its list of
 * migrations.
 *
 * A database goes back only under a new name, so nothing of its last test can reach the next one:
 * whatever that test left connected is cut off, and whatever reconnects after (a listener, a lease
 * renewal) finds no database of the old name. Then every table is truncated and every sequence
 * restarted: the next test finds what a fresh migration leaves, the schema and no rows.
 *
 * A run's databases carry its name (`provide`d by unit-run-setup.ts), whose teardown drops them.
 */
import { inject } from "vitest";
import { asAdministrator, databaseUrl, withClient } from "./scratch-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The prefix of this run's database names. */
    databasePrefix: string;
  }
}

const emptied: string[] = [];
let named = 0;

function newName(): string {
  named += 1;
  return `${inject("databasePrefix")}${process.pid}_${named}`;
}

/**
 * The URL of a database with no rows, this test's alone until `giveBack`: one an earlier test
 * migrated and gave back, or a new one that the caller migrates.
 */
export async function takeDatabase(): Promise<string> {
  const reused = emptied.pop();
  if (reused !== undefined) return databaseUrl(reused);
  const name = newName();
  await asAdministrator(`CREATE DATABASE ${name}`);
  return databaseUrl(name);
}

/**
 * Takes a database back once its test has closed what it opened. One that cannot be emptied (the
 * test dropped or broke it, or PostgreSQL is away) is dropped instead, or left to the teardown.
 */
export async function giveBack(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const next = newName();
  try {
    await renameWhenUnused(name, next);
    await emptyEveryTable(databaseUrl(next));
    emptied.push(next);
  } catch {
    await asAdministrator(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await asAdministrator(`DROP DATABASE IF EXISTS ${next} WITH (FORCE)`).catch(() => {});
  }
}

/** Cuts off whoever is connected and renames the database, again if someone got in between. */
async function renameWhenUnused(name: string, next: string): Promise<void> {
  await withClient(async (admin) => {
    for (let attempt = 1; ; attempt++) {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
      try {
        await admin.query(`ALTER DATABASE ${name} RENAME TO ${next}`);
        return;
      } catch (error) {
        // 55006 object_in_use: a connection came in between the two statements.
        if ((error as { code?: string }).code !== "55006" || attempt === 20) throw error;
      }
    }
  });
}

async function emptyEveryTable(url: string): Promise<void> {
  await withClient(async (client) => {
    const { rows } = await client.query<{ name: string }>(
      "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely\\_%'",
    );
    if (rows.length > 0) {
      await client.query(`TRUNCATE ${rows.map((row) => row.name).join(", ")} RESTART IDENTITY CASCADE`);
    }
  }, url);
}

/** Drops every database whose name starts with `prefix`: the teardown of a run. */
export async function dropDatabasesOfRun(prefix: string): Promise<void> {
  await withClient(async (admin) => {
    const { rows } = await admin.query<{ name: string }>(
      "SELECT quote_ident(datname) AS name FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    for (const { name } of rows) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}
