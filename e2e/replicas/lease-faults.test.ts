/**
 * The edges of the lease protocol, with real processes on a real PostgreSQL: a replica killed while
 * a DELETE waits for its acknowledgement, a replica that loses its database, and a database restart
 * under load (every connection cut at once, as a restart looks from the replicas) followed by
 * revocations that must reach every replica, none missed. Needs PostgreSQL, so it runs in the
 * PostgreSQL pass of the suite.
 */
import { randomUUID } from "node:crypto";
import { errorBodySchema } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bodyOf, createKey } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered } from "../support/worker-socket.ts";
import { type Owner, query, revoke, signUpWithWorkspace, throughPort, whoami } from "./replica-set.ts";

/**
 * The gateway's periodic re-check of its sockets' keys runs once per heartbeat interval: made long
 * here, so a worker cut off within the test was cut off by the protocol, not by that sweep.
 */
const env = { COGNO_HEARTBEAT_INTERVAL_MS: "120000" };

let store: TestStore;
const servers: RunningServer[] = [];
const proxies: TcpProxy[] = [];

async function proxyToDatabase(options: { latencyMs?: number } = {}): Promise<TcpProxy> {
  const url = new URL(store.env.COGNO_DATABASE_URL ?? "");
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) }, options);
  proxies.push(proxy);
  return proxy;
}

async function replica(proxy?: TcpProxy): Promise<RunningServer> {
  const server = await startServer({
    store,
    env: { ...env, ...(proxy ? throughPort(store, proxy.port) : {}) },
  });
  servers.push(server);
  return server;
}

async function leaseIds(): Promise<string[]> {
  const rows = await query<{ id: string }>(store, "SELECT id FROM replicas ORDER BY id");
  return rows.map((row) => row.id);
}

/** Whether the replica's lease has run out by the database's clock. */
async function leaseRanOut(replicaId: string): Promise<boolean> {
  const [row] = await query<{ ran_out: boolean }>(
    store,
    "SELECT lease_expires_ms <= (extract(epoch from clock_timestamp()) * 1000)::bigint AS ran_out FROM replicas WHERE id = $1",
    [replicaId],
  );
  return row?.ran_out ?? true;
}

describe.runIf(TEST_ENGINE === "postgres")("replica leases under faults", () => {
  let owner: Owner;
  let a: RunningServer;

  beforeEach(async () => {
    store = await createTestStore("postgres");
    a = await replica();
    owner = await signUpWithWorkspace(a.url);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop("SIGKILL")));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    await store.cleanup();
  });

  it("answers a DELETE whose acknowledgement a SIGKILLed replica never sends, once that replica's lease ran out", async () => {
    const b = await replica();
    const before = await leaseIds();
    // C is far from the database (100 ms each way), so its acknowledgement cannot come before it is killed.
    const c = await replica(await proxyToDatabase({ latencyMs: 100 }));
    const [cId] = (await leaseIds()).filter((id) => !before.includes(id));
    if (cId === undefined) throw new Error("replica C holds no lease");
    const { apiKey, key } = await createKey(owner, "killed-mid-revocation");
    const onB = await connectRegistered(b.url, key, randomUUID());
    expect((await whoami(c, key)).status).toBe(200);
    expect(await leaseRanOut(cId)).toBe(false);

    const startedAt = performance.now();
    const deletion = revoke(a, owner, apiKey.id);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await c.stop("SIGKILL");
    const answer = await deletion;
    const waitedMs = performance.now() - startedAt;
    console.info(`DELETE with a replica killed mid-acknowledgement answered in ${Math.round(waitedMs)} ms`);

    expect(answer.status).toBe(200);
    // It answered because C's lease had run out, not before: C could have served the key until then.
    expect(await leaseRanOut(cId)).toBe(true);
    expect(await onB.next(5_000)).toMatchObject({ type: "revoked", reason: "revoked" });
    for (const server of [a, b])
      expect(bodyOf(await whoami(server, key), errorBodySchema).error.code).toBe("api_key_revoked");
  });

  it("stops serving keys from memory on a replica that lost PostgreSQL, and refuses a key revoked meanwhile once back", async () => {
    const link = await proxyToDatabase();
    const b = await replica(link);
    const { apiKey, key } = await createKey(owner, "lost-database");
    // Verified once on B: from now on B answers from memory while its lease holds.
    expect((await whoami(b, key)).status).toBe(200);
    expect((await whoami(b, key)).status).toBe(200);

    link.cut();
    // Within its lease B may still answer from memory; after, it must read the database, which it cannot.
    const refused = await waitFor(
      () => whoami(b, key),
      (response) => response.status !== 200,
      10_000,
    );
    expect(refused.status).toBe(503);
    expect(bodyOf(refused, errorBodySchema).error.code).toBe("service_unavailable");

    const answer = await revoke(a, owner, apiKey.id);
    expect(answer.status).toBe(200);
    for (let attempt = 0; attempt < 5; attempt++) expect((await whoami(b, key)).status).not.toBe(200);

    link.restore();
    const back = await waitFor(
      () => whoami(b, key),
      (response) => response.status !== 503,
      15_000,
    );
    expect(bodyOf(back, errorBodySchema).error.code).toBe("api_key_revoked");
  });

  it("after a database restart under load, a revocation made during it and one made after reach every replica", async () => {
    // B and C reach PostgreSQL through one link, cut for 1.5 s as a restart would; A is elsewhere.
    const link = await proxyToDatabase();
    const b = await replica(link);
    const c = await replica(link);
    const during = await createKey(owner, "revoked-during-restart");
    const after = await createKey(owner, "revoked-after-restart");
    const workers = await Promise.all(
      [b, c].flatMap((server) => [
        connectRegistered(server.url, during.key, randomUUID()),
        connectRegistered(server.url, after.key, randomUUID()),
      ]),
    );
    const [duringOnB, afterOnB, duringOnC, afterOnC] = workers;

    // Load on every replica all along: whoami with the key revoked last.
    let loading = true;
    const statuses = new Map<number, number>();
    const load = Array.from({ length: 6 }, async (_, index) => {
      const server = [a, b, c][index % 3] as RunningServer;
      while (loading) {
        const response = await whoami(server, after.key).catch(() => ({ status: 0 }));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 300));
    link.cut();
    // Revoked while B and C cannot hear: their announcement is lost to them; the log is not.
    const duringAnswer = await revoke(a, owner, during.apiKey.id);
    expect(duringAnswer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    link.restore();

    // Caught up from the log on reconnecting: the workers of the key revoked meanwhile are cut off.
    for (const worker of [duringOnB, duringOnC]) {
      expect(await worker?.next(15_000)).toMatchObject({ type: "revoked" });
      expect((await worker?.closed)?.code).toBe(4001);
    }
    for (const server of [b, c]) {
      const refused = await waitFor(
        () => whoami(server, during.key),
        (response) => response.status !== 503,
        15_000,
      );
      expect(bodyOf(refused, errorBodySchema).error.code).toBe("api_key_revoked");
    }

    // The first revocation after the restart, through a replica that went through it.
    const startedAt = performance.now();
    const afterAnswer = await waitFor(
      () => revoke(b, owner, after.apiKey.id),
      (response) => response.status !== 503,
      15_000,
    );
    console.info(
      `first revocation after the restart answered in ${Math.round(performance.now() - startedAt)} ms`,
    );
    expect(afterAnswer.status).toBe(200);
    for (const server of [a, b, c])
      expect(bodyOf(await whoami(server, after.key), errorBodySchema).error.code).toBe("api_key_revoked");
    for (const worker of [afterOnB, afterOnC]) {
      expect(await worker?.next(5_000)).toMatchObject({ type: "revoked" });
    }
    loading = false;
    await Promise.all(load);
    console.info(`whoami through the restart: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(500) ?? 0).toBe(0);
    for (const server of [a, b, c]) expect(server.process.exitCode).toBeNull();
  });
});
