/**
 * The fleet figures of issue 10, each on a fresh SQLite server (synchronous=FULL, as shipped):
 *   (e) a registration storm: 1,000 workers send `register` at once; median of 3 rounds, each with
 *       new machines; baseline: one register's round trip on the idle server;
 *   (f) 10,000 workers held by one process: RSS per worker after a full GC, and the revocation
 *       fan-out to all of them; baseline: a GET round trip;
 *   (g) a restart under 1,000 connected workers that reconnect as the daemon does: time from the
 *       SIGTERM until every worker registered again, and the new server's peak CPU and memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApiKey, createOwnerWithWorkspace, revokePath } from "./api.mjs";
import { startChildTask } from "./child-task.mjs";
import { connectFleet } from "./fanout.mjs";
import { readServerMemory } from "./memory.mjs";
import { readCpuMs, readRssKib } from "./process-stats.mjs";
import { startServer } from "./server-process.mjs";
import { settle, warmUpGateway } from "./shared-steps.mjs";
import { median } from "./statistics.mjs";

async function storm(server, key, count, machinePrefix) {
  const client = startChildTask("./fleet-client.mjs");
  try {
    client.send({ type: "storm", workerUrl: server.url, key, count, machinePrefix });
    return await client.next("stormed", 120_000);
  } finally {
    await client.stop();
  }
}

async function measureStorm(dataDirectory, settings, cleanups) {
  const server = await startServer({
    name: "sqlite-storm",
    env: { COGNO_DATA_DIR: path.join(dataDirectory, "storm") },
  });
  cleanups.push(() => server.stop());
  const owner = await createOwnerWithWorkspace(server.url);
  const { key } = await createApiKey(server.url, owner, "bench storm");
  await storm(server, key, settings.warmupFleetSize, "storm-warmup");
  const rounds = [];
  for (let round = 1; round <= settings.stormRounds; round++) {
    await settle(settings.settleMs);
    rounds.push(await storm(server, key, settings.stormSize, `storm-${round}`));
  }
  await server.stop();
  return {
    rounds,
    count: settings.stormSize,
    stormMs: median(rounds.map((round) => round.stormMs)),
    baselineMs: median(rounds.map((round) => round.baselineMs)),
  };
}

async function measureHeld(dataDirectory, settings, cleanups) {
  const server = await startServer({
    name: "sqlite-10k",
    env: { COGNO_DATA_DIR: path.join(dataDirectory, "held") },
    inspect: true,
  });
  cleanups.push(() => server.stop());
  const owner = await createOwnerWithWorkspace(server.url);
  await warmUpGateway(server, server, owner, settings);
  await settle(settings.settleMs);
  const before = await readServerMemory(server);
  const { id, key } = await createApiKey(server.url, owner, "bench 10k");
  const fleet = await connectFleet(server, {
    key,
    count: settings.heldFleetSize,
    concurrency: 64,
    machinePrefix: "held",
  });
  await settle(settings.settleMs * 2);
  const after = await readServerMemory(server);
  const fanout = await fleet.revoke(server, { path: revokePath(owner, id), cookie: owner.cookie });
  await server.stop();
  return {
    workers: fleet.count,
    connectMs: fleet.connectMs,
    before,
    after,
    rssPerWorkerBytes: (after.rssBytes - before.rssBytes) / fleet.count,
    heapPerWorkerBytes: (after.heapUsedBytes - before.heapUsedBytes) / fleet.count,
    fanout,
  };
}

async function measureRestart(dataDirectory, settings, cleanups) {
  const env = { COGNO_DATA_DIR: path.join(dataDirectory, "restart") };
  const first = await startServer({ name: "sqlite-restart-1", env });
  cleanups.push(() => first.stop());
  const owner = await createOwnerWithWorkspace(first.url);
  const { key } = await createApiKey(first.url, owner, "bench restart");
  const client = startChildTask("./fleet-client.mjs");
  cleanups.push(() => client.stop());
  client.send({
    type: "hold",
    workerUrl: first.url,
    key,
    count: settings.restartFleetSize,
    machinePrefix: "back",
  });
  const held = await client.next("held", 120_000);
  await settle(settings.settleMs);

  const stoppedAt = Date.now();
  await first.stop();
  const second = await startServer({ name: "sqlite-restart-2", env, port: first.port });
  cleanups.push(() => second.stop());
  const readyMs = Date.now() - stoppedAt;

  // Sample the new server while the fleet returns: CPU over each 100 ms, and RSS.
  let peakCpuPercent = 0;
  let peakRssKib = readRssKib(second.pid);
  let lastCpu = readCpuMs(second.pid);
  let lastAt = performance.now();
  const sampler = setInterval(() => {
    const cpu = readCpuMs(second.pid);
    const at = performance.now();
    peakCpuPercent = Math.max(peakCpuPercent, ((cpu - lastCpu) / (at - lastAt)) * 100);
    peakRssKib = Math.max(peakRssKib, readRssKib(second.pid));
    lastCpu = cpu;
    lastAt = at;
  }, 100);
  try {
    client.send({ type: "await-back", since: stoppedAt });
    const back = await client.next("back", 60_000);
    return {
      workers: held.count,
      readyMs,
      allBackMs: back.lastBackMs,
      reconnects: back.reconnects,
      peakCpuPercent,
      peakRssBytes: peakRssKib * 1024,
    };
  } finally {
    clearInterval(sampler);
    await client.stop();
    await second.stop();
  }
}

export async function benchFleet(settings, cleanups) {
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "cogno-bench-fleet-"));
  cleanups.push(() => rmSync(dataDirectory, { recursive: true, force: true }));
  const storm = await measureStorm(dataDirectory, settings, cleanups);
  const held = await measureHeld(dataDirectory, settings, cleanups);
  const restart = await measureRestart(dataDirectory, settings, cleanups);
  return { storm, held, restart };
}
