/**
 * One server on SQLite: (a) whoami throughput against /healthz and against a minimal Fastify route
 * that checks the same key in SQLite, and whoami's CPU per request on several fresh processes; then,
 * on a fresh server so that the load of (a) does not inflate its memory, (c) memory per connected
 * worker and (b) revocation fan-out.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createOwnerWithWorkspace } from "./api.mjs";
import { readServerMemory } from "./memory.mjs";
import { startServer } from "./server-process.mjs";
import {
  createWhoamiKey,
  measureFanout,
  measureWhoami,
  measureWhoamiAgainstHealthz,
  passLoad,
  settle,
  warmUpGateway,
} from "./shared-steps.mjs";

export async function benchSqlite(settings, cleanups) {
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "cogno-bench-"));
  cleanups.push(() => rmSync(dataDirectory, { recursive: true, force: true }));

  const throughputServer = await startServer({
    name: "sqlite-throughput",
    env: { COGNO_DATA_DIR: path.join(dataDirectory, "throughput") },
  });
  cleanups.push(() => throughputServer.stop());
  const minimalRouteDirectory = path.join(dataDirectory, "minimal-route");
  mkdirSync(minimalRouteDirectory);
  const throughput = await measureWhoamiAgainstHealthz(throughputServer, settings, { minimalRouteDirectory });
  await throughputServer.stop();
  const whoamiCpuPerProcess = await measureWhoamiOnFreshProcesses(settings, dataDirectory, cleanups);

  const server = await startServer({
    name: "sqlite-workers",
    env: { COGNO_DATA_DIR: path.join(dataDirectory, "workers") },
    inspect: true,
  });
  cleanups.push(() => server.stop());
  const owner = await createOwnerWithWorkspace(server.url);
  await warmUpGateway(server, server, owner, settings);
  await settle(settings.settleMs);
  const memoryBefore = await readServerMemory(server);

  /** @type {(Awaited<ReturnType<typeof readServerMemory>> & { workers: number }) | undefined} */
  let memoryAfter;
  const fanout = await measureFanout(server, server, owner, settings, async (fleet) => {
    memoryAfter = { ...(await readServerMemory(server)), workers: fleet.count };
  });
  if (memoryAfter === undefined) throw new Error("the fan-out ran without measuring the fleet's memory");
  await server.stop();

  return {
    throughput,
    whoamiCpuPerProcess,
    memory: {
      before: memoryBefore,
      after: memoryAfter,
      workers: memoryAfter.workers,
      rssPerWorkerBytes: (memoryAfter.rssBytes - memoryBefore.rssBytes) / memoryAfter.workers,
      heapPerWorkerBytes: (memoryAfter.heapUsedBytes - memoryBefore.heapUsedBytes) / memoryAfter.workers,
    },
    fanout,
  };
}

/**
 * whoami on several fresh server processes, each with its own key: what one request costs should
 * not depend on which process serves it. (About one process in five once served every request some
 * 30% slower for its whole life, from V8 state settled at startup: runtime/tick-objects.ts.)
 *
 * The processes run side by side and are measured in turn, pass after pass, and each one's figure is
 * its cheapest pass. A shared machine's speed drifts over minutes, and processes measured one after
 * the other differed by as much as the defect itself (40 and 64 µs per request, no process slower in
 * a second pass); a process that is slow for its whole life is slow in every pass.
 */
async function measureWhoamiOnFreshProcesses(settings, dataDirectory, cleanups) {
  /** @type {{ server: Awaited<ReturnType<typeof startServer>>, key: string, passes: number[] }[]} */
  const processes = [];
  for (let index = 1; index <= settings.whoamiProcesses; index++) {
    const server = await startServer({
      name: `sqlite-whoami-${index}`,
      env: { COGNO_DATA_DIR: path.join(dataDirectory, `whoami-${index}`) },
    });
    cleanups.push(() => server.stop());
    processes.push({ server, key: await createWhoamiKey(server), passes: [] });
  }
  const load = passLoad(settings, settings.whoamiPassMs);
  for (let pass = 0; pass < settings.whoamiPasses; pass++) {
    for (const measured of processes) {
      const whoami = await measureWhoami(measured.server, measured.key, load);
      measured.passes.push(whoami.serverMicrosecondsPerRequest);
    }
  }
  await Promise.all(processes.map(({ server }) => server.stop()));
  return processes.map(({ passes }) => ({ microseconds: Math.min(...passes), passes }));
}
