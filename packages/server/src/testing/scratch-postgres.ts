/**
 * A throw-away PostgreSQL database on the local test server, for one test run: the server's
 * in-process tests and the end-to-end harness both use it, so runs never collide.
 */
import pg from "pg";

const ADMIN_URL = process.env.COGNO_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Connects to `url` (by default as the administrator, outside any scratch database) for `use`. */
export async function withClient<T>(use: (client: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Runs SQL as the administrator, outside any scratch database. */
export async function asAdministrator(statement: string): Promise<void> {
  await withClient((admin) => admin.query(statement));
}

/** The URL of the named database on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `cogno_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await asAdministrator(`CREATE DATABASE ${name}`);
  return {
    url: databaseUrl(name),
    drop: () => asAdministrator(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
