/**
 * PostgreSQL faults under a running server: connections ended with queries in flight, a database
 * that refuses connections and a database that stops answering (a frozen TCP proxy in between);
 * real restarts are in postgres-restart.test.ts.
 * The server must never exit; requests it cannot serve get 503 service_unavailable with
 * Retry-After, never 500; /readyz answers within about 2 s; and it serves again once the database
 * is back. Needs PostgreSQL, so it runs in the PostgreSQL pass of the suite.
 */
import { errorBodySchema } from "@cogno/protocol";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { asAdministrator, createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered } from "../support/worker-socket.ts";
import { expectNoServerErrors, expectServing, outcome, startChurn } from "./churn.ts";

let store: TestStore;
let server: RunningServer;
let databaseName: string;

function databaseUrl(): string {
  return store.env.COGNO_DATABASE_URL ?? "";
}

/** Ends every connection the server under test holds to its database (the bus's included). */
async function terminateServerConnections(sparePid?: number): Promise<void> {
  await asAdministrator(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${databaseName}' AND pid <> pg_backend_pid()${sparePid === undefined ? "" : ` AND pid <> ${sparePid}`}`,
  );
}

/** The server's log lines since `from`, counted by level and message. */
function logSummary(from: number): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const line of server.output().slice(from).split("\n")) {
    if (!line.startsWith("{")) continue;
    const { level, msg }: { level?: unknown; msg?: unknown } = JSON.parse(line);
    if (typeof level !== "number" || typeof msg !== "string") throw new Error(`not a log line: ${line}`);
    if (msg === "request") continue;
    const key = `${level} ${msg}`;
    summary[key] = (summary[key] ?? 0) + 1;
  }
  return summary;
}

describe.runIf(TEST_ENGINE === "postgres")("PostgreSQL faults", () => {
  beforeAll(async () => {
    store = await createTestStore("postgres");
    databaseName = new URL(databaseUrl()).pathname.slice(1);
    // Generous: on a busy machine migrating a fresh database can take a while.
    server = await startServer({ store, timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await asAdministrator(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`).catch(() => {});
    await server?.stop();
    await store?.cleanup();
  });

  afterEach(() => {
    expect(server.process.exitCode, server.output().slice(-3_000)).toBeNull();
  });

  it("regression: connections ended with queries in flight crashed the server (unhandled 'error' on a pg client); now those requests get 503", async () => {
    const owner = await signUpWithWorkspace(server.url);
    // Hold every session check in the database, so the server's queries are in flight for sure.
    const locker = new pg.Client({ connectionString: databaseUrl() });
    await locker.connect();
    const lockerPid = (await locker.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]?.pid;
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE");
    const inFlight = Array.from({ length: 12 }, () => owner.client.get("/api/v1/me"));
    await waitFor(
      async () =>
        (
          await locker.query<{ waiting: number }>(
            "select count(*)::int as waiting from pg_locks where relation = 'sessions'::regclass and not granted",
          )
        ).rows[0]?.waiting ?? 0,
      (waiting) => waiting >= 10,
    );
    await terminateServerConnections(lockerPid);
    await locker.query("ROLLBACK");
    await locker.end();

    const outcomes = (await Promise.all(inFlight)).map(outcome);
    expect(
      outcomes.filter((each) => each === "503 service_unavailable retry-after").length,
    ).toBeGreaterThanOrEqual(10);
    expectNoServerErrors(Object.fromEntries(outcomes.map((each) => [each, 1])));
    const failed = await owner.client.get("/api/v1/me");
    expect(failed.status).toBe(200);
    await expectServing(server.url);
  });

  it("under churn: connections ended again and again, then a database that refuses connections; 503 meanwhile, never 500, serving after", async () => {
    const owner = await signUpWithWorkspace(server.url);
    const logFrom = server.output().length;
    const churn = startChurn(owner);
    for (let round = 0; round < 10; round++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await terminateServerConnections();
    }
    await asAdministrator(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS false`);
    await terminateServerConnections();
    const refusedFrom = churn.tally.get("503 service_unavailable retry-after") ?? 0;
    await waitFor(
      async () => churn.tally.get("503 service_unavailable retry-after") ?? 0,
      (refused) => refused >= refusedFrom + 20,
    );
    await asAdministrator(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`);
    await waitFor(
      async () => (await new ApiClient(server.url).get("/readyz")).status,
      (status) => status === 200,
      20_000,
    );
    const okBefore = churn.tally.get("200") ?? 0;
    await waitFor(
      async () => churn.tally.get("200") ?? 0,
      (ok) => ok >= okBefore + 20,
    );
    const tally = await churn.stop();
    console.info(`churn through 10 terminations and a refusing database: ${JSON.stringify(tally)}`);
    expectNoServerErrors(tally);
    // The outage is logged, not each refused request.
    const logged = logSummary(logFrom);
    console.info(`server log meanwhile: ${JSON.stringify(logged)}`);
    const errorLines = Object.entries(logged)
      .filter(([key]) => key.startsWith("50 "))
      .reduce((sum, [, lines]) => sum + lines, 0);
    expect(errorLines).toBeLessThanOrEqual(12);
    expect(errorLines).toBeLessThan((tally["503 service_unavailable retry-after"] ?? 0) / 2);
    await expectServing(server.url);
  });
});

describe.runIf(TEST_ENGINE === "postgres")("a database that stops answering", () => {
  let proxy: TcpProxy;
  let proxied: RunningServer;
  let proxiedStore: TestStore;

  beforeAll(async () => {
    proxiedStore = await createTestStore("postgres");
    const target = new URL(proxiedStore.env.COGNO_DATABASE_URL ?? "");
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const throughProxy = new URL(target);
    throughProxy.host = `127.0.0.1:${proxy.port}`;
    proxied = await startServer({
      store: proxiedStore,
      env: { COGNO_DATABASE_URL: throughProxy.toString() },
      timeoutMs: 60_000,
    });
  });

  afterAll(async () => {
    proxy?.thaw();
    await proxied?.stop();
    await proxy?.close();
    await proxiedStore?.cleanup();
  });

  it("regression: /readyz hung while the database was frozen; now 503 'not ready' within about 2 s, and 200 once it answers", async () => {
    const client = new ApiClient(proxied.url);
    expect((await client.get("/readyz")).status).toBe(200);
    proxy.freeze();
    try {
      for (let probe = 0; probe < 3; probe++) {
        const startedAt = Date.now();
        const ready = await client.get("/readyz");
        const tookMs = Date.now() - startedAt;
        console.info(`/readyz while frozen: ${ready.status} in ${tookMs} ms`);
        expect(outcome(ready)).toBe("503 service_unavailable retry-after");
        expect(bodyOf(ready, errorBodySchema).error.message).toMatch(/^not ready/i);
        expect(tookMs).toBeLessThan(3_500);
        expect((await client.get("/healthz")).status).toBe(200);
      }
    } finally {
      proxy.thaw();
    }
    await waitFor(
      async () => (await client.get("/readyz")).status,
      (status) => status === 200,
      20_000,
    );
    expect(proxied.process.exitCode).toBeNull();
  });
});

describe.runIf(TEST_ENGINE === "postgres")("replicas with workers through an outage", () => {
  let sharedStore: TestStore;
  let a: RunningServer;
  let b: RunningServer;
  let sharedDatabase: string;

  beforeAll(async () => {
    sharedStore = await createTestStore("postgres");
    sharedDatabase = new URL(sharedStore.env.COGNO_DATABASE_URL ?? "").pathname.slice(1);
    // The default heartbeat interval (15 s): the test's workers stay connected without heartbeats,
    // and a revocation that reaches B within 10 s came over the bus, not B's periodic key check.
    [a, b] = await Promise.all([
      startServer({ store: sharedStore, timeoutMs: 60_000 }),
      startServer({ store: sharedStore, timeoutMs: 60_000 }),
    ]);
  });

  afterAll(async () => {
    await asAdministrator(`ALTER DATABASE ${sharedDatabase} ALLOW_CONNECTIONS true`).catch(() => {});
    await Promise.all([a?.stop(), b?.stop()]);
    await sharedStore?.cleanup();
  });

  it("regression: replicas exited when PostgreSQL went away while revoking; now none exits, and a revocation after recovery reaches the worker on the other replica", async () => {
    const owner = await signUpWithWorkspace(a.url);
    const keys = await Promise.all([createKey(owner, "one"), createKey(owner, "two")]);
    const workers = await Promise.all(
      keys.map((key, index) => connectRegistered(b.url, key.key, `outage-machine-${index}`)),
    );
    const churn = startChurn(owner);
    // Revocations in flight while every connection is ended and new ones are refused for a while.
    const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    const revokeDuringOutage = owner.client.delete(`${keysPath}/${keys[0]?.apiKey.id}`);
    await asAdministrator(`ALTER DATABASE ${sharedDatabase} ALLOW_CONNECTIONS false`);
    await asAdministrator(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${sharedDatabase}' AND pid <> pg_backend_pid()`,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await asAdministrator(`ALTER DATABASE ${sharedDatabase} ALLOW_CONNECTIONS true`);
    const duringOutage = outcome(await revokeDuringOutage);
    expect(["200", "503 service_unavailable retry-after"]).toContain(duringOutage);
    for (const replica of [a, b]) {
      await waitFor(
        async () => (await new ApiClient(replica.url).get("/readyz")).status,
        (status) => status === 200,
        20_000,
      );
    }
    const tally = await churn.stop();
    console.info(
      `replicas through an outage: revoke during it ${duringOutage}; churn ${JSON.stringify(tally)}`,
    );
    expectNoServerErrors(tally);

    // After recovery: a revocation through A reaches the worker on B (its LISTEN connection is back).
    await waitFor(
      async () => (await owner.client.delete(`${keysPath}/${keys[1]?.apiKey.id}`)).status,
      (status) => status === 200,
      20_000,
    );
    const closed = await Promise.race([
      workers[1]?.closed,
      new Promise<undefined>((resolve) => setTimeout(resolve, 10_000)),
    ]);
    expect(closed?.code).toBe(4001);
    expect(a.process.exitCode, a.output().slice(-2_000)).toBeNull();
    expect(b.process.exitCode, b.output().slice(-2_000)).toBeNull();
    for (const worker of workers) worker?.socket.terminate();
  });
});
