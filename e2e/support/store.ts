/**
 * Where a test server keeps its data: a fresh SQLite data directory, or (with
 * COGNO_TEST_DATABASE=postgres) a fresh PostgreSQL database of its own, so runs never collide.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createScratchDatabase } from "../../packages/server/src/testing/scratch-postgres.ts";

// The one scratch-database helper, shared with the server's in-process tests: e2e files reach it here.
export { asAdministrator } from "../../packages/server/src/testing/scratch-postgres.ts";

export const TEST_ENGINE: "sqlite" | "postgres" =
  process.env.COGNO_TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

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
  const database = await createScratchDatabase("test");
  return {
    engine,
    dataDir,
    env: { COGNO_DATA_DIR: dataDir, COGNO_DATABASE_URL: database.url },
    async cleanup() {
      await rm(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}
