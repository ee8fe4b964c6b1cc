/**
 * Two replicas on one fresh PostgreSQL database: whoami throughput against /healthz on replica A,
 * then fleets of 1,000 workers on replica B revoked through replica A, so the revocation crosses
 * replicas (announced over LISTEN/NOTIFY, acknowledged by B before the DELETE answers). Then a third
 * replica C, reaching PostgreSQL through a proxy the bench cuts for a while as a database restart
 * would: the first revocation after the link is back must reach C's fleet.
 */
import { createApiKey, createOwnerWithWorkspace, revokePath } from "./api.mjs";
import { connectFleet } from "./fanout.mjs";
import { createFreshDatabase } from "./postgres.mjs";
import { startServer } from "./server-process.mjs";
import { measureFanout, measureWhoamiAgainstHealthz, settle, warmUpGateway } from "./shared-steps.mjs";
import { startCuttableProxy } from "./tcp-proxy.mjs";

export async function benchPostgres(settings, cleanups) {
  const database = await createFreshDatabase(settings.postgresAdminUrl);
  cleanups.push(() => database.drop());
  const env = { COGNO_DATABASE_URL: database.url };

  // One after the other: the first runs the migrations, the second finds them done.
  const replicaA = await startServer({ name: "postgres-replica-a", env });
  cleanups.push(() => replicaA.stop());
  const replicaB = await startServer({ name: "postgres-replica-b", env });
  cleanups.push(() => replicaB.stop());

  const throughput = await measureWhoamiAgainstHealthz(replicaA, settings);

  const owner = await createOwnerWithWorkspace(replicaA.url);
  await warmUpGateway(replicaA, replicaB, owner, settings);
  const fanout = await measureFanout(replicaA, replicaB, owner, settings);

  await replicaB.stop();
  const afterRestart = await measureRevocationAfterRestart(
    database,
    env,
    replicaA,
    owner,
    settings,
    cleanups,
  );
  await replicaA.stop();
  return { throughput, fanout, afterRestart };
}

/**
 * A fleet on replica C; every connection between C and PostgreSQL cut for `outageMs` (C's lease
 * lapses, its listener reconnects with backoff); right after the link is back, the key is revoked
 * through A. Timed from sending that DELETE to the last of C's workers told.
 */
async function measureRevocationAfterRestart(database, env, replicaA, owner, settings, cleanups) {
  const url = new URL(database.url);
  const proxy = await startCuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
  cleanups.push(() => proxy.close());
  const viaProxy = new URL(database.url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  const replicaC = await startServer({
    name: "postgres-replica-c",
    env: { ...env, COGNO_DATABASE_URL: viaProxy.href },
  });
  cleanups.push(() => replicaC.stop());
  const { id, key } = await createApiKey(replicaA.url, owner, "bench restart");
  const fleet = await connectFleet(replicaC, { key, count: settings.fleetSize, machinePrefix: "restart-c" });
  await settle(settings.settleMs);
  proxy.cut();
  await settle(settings.outageMs);
  proxy.restore();
  const result = await fleet.revoke(replicaA, { path: revokePath(owner, id), cookie: owner.cookie });
  await replicaC.stop();
  return { ...result, outageMs: settings.outageMs };
}
