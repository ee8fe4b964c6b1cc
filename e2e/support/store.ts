/**
 * Where a test server keeps its data: a fresh SQLite data directory, or (with
 * COGNO_TEST_DATABASE=postgres) a fresh PostgreSQL database of its own, so runs never collide.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export const TEST_ENGINE: "sqlite" | "postgres" =
  process.env.COGNO_TEST_DATABASE === "postgres" ? "postgres" : "sqlite";
const ADMIN_URL = process.env.COGNO_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestStore {
  engine: "sqlite" | "postgres";
  dataDir: string;
  /** Settings that point a server at this store. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createTestStore(engine = TEST_ENGINE): Promise<TestStore> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "cogno-test-"));
  if (engine === "sqlite") {
    return {
      engine,
      dataDir,
      env: { COGNO_DATA_DIR: dataDir },
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `cogno_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    engine,
    dataDir,
    env: { COGNO_DATA_DIR: dataDir, COGNO_DATABASE_URL: url.toString() },
    async cleanup() {
      await rm(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
