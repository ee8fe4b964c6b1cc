/** A fresh PostgreSQL database per run, on loopback only, dropped afterwards. */
import pg from "pg";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export async function createFreshDatabase(adminUrl) {
  const url = new URL(adminUrl);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`PostgreSQL must be on loopback, not ${url.hostname}`);
  const name = `cogno_bench_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect().catch((error) => {
    throw new Error(
      `cannot reach PostgreSQL at ${url.host} (set COGNO_BENCH_POSTGRES_URL to another): ${error.message}`,
    );
  });
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${name}`;
  return {
    url: databaseUrl.href,
    async drop() {
      const dropper = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
      await dropper.connect();
      try {
        // FORCE: a replica killed mid-run may leave a connection behind.
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
