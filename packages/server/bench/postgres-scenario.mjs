/**
 * Two replicas on one fresh PostgreSQL database: whoami throughput against /healthz on replica A,
 * then fleets of 1,000 workers on replica B revoked through replica A, so the revocation crosses
 * replicas through the database's LISTEN/NOTIFY bus.
 */
import { createOwnerWithWorkspace } from "./api.mjs";
import { createFreshDatabase } from "./postgres.mjs";
import { startServer } from "./server-process.mjs";
import { measureFanout, measureWhoamiAgainstHealthz, warmUpGateway } from "./shared-steps.mjs";

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
  await replicaA.stop();
  return { throughput, fanout };
}
