/** Looks for secrets where they must never be: every byte of a data directory, every text cell of a database. */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { expect } from "vitest";

export async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/** Names of the secrets found in any file of the directory, with the file they are in. */
export async function secretsInFiles(directory: string, secrets: Record<string, string>): Promise<string[]> {
  const found: string[] = [];
  for (const file of await listFiles(directory)) {
    const bytes = await readFile(file);
    for (const [name, secret] of Object.entries(secrets)) {
      if (bytes.includes(Buffer.from(secret, "utf8"))) found.push(`${name} in ${path.basename(file)}`);
    }
  }
  return found;
}

/** Every text value of every table of the PostgreSQL database, one string per cell. */
export async function allDatabaseText(connectionString: string): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const columns = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
       where table_schema = 'public' and data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`,
    );
    expect(columns.rows.map((row) => row.table_name)).toContain("api_keys");
    const values: string[] = [];
    for (const { table_name: table, column_name: column } of columns.rows) {
      const result = await client.query<{ value: string | null }>(
        `select ${pg.escapeIdentifier(column)}::text as value from ${pg.escapeIdentifier(table)}`,
      );
      for (const row of result.rows) if (row.value !== null) values.push(row.value);
    }
    return values;
  } finally {
    await client.end();
  }
}
