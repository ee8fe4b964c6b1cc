/** Steps both scenarios share: whoami against /healthz and a minimal route, and warming the worker gateway up. */
import { createApiKey, createOwnerWithWorkspace, revokePath } from "./api.mjs";
import { startChildTask } from "./child-task.mjs";
import { connectFleet } from "./fanout.mjs";
import { median } from "./statistics.mjs";
import { combinePasses, measureThroughput } from "./throughput.mjs";

/** @typedef {import("./throughput.mjs").ThroughputResult} ThroughputResult */

export function settle(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * whoami and /healthz of one server under the same load; given a directory for its SQLite file, the
 * same key on a minimal route too. The routes are measured in turn, pass after pass, and each route's
 * figures combine its passes: a shared machine's speed drifts over minutes, and routes measured one
 * after the other, 6 s each, took that drift into their ratio.
 * @param {{ minimalRouteDirectory?: string }} [options]
 */
export async function measureWhoamiAgainstHealthz(server, settings, options = {}) {
  const { minimalRouteDirectory } = options;
  const key = await createWhoamiKey(server);
  const load = passLoad(settings, settings.durationMs / settings.throughputPasses);
  const minimalRoute =
    minimalRouteDirectory === undefined ? undefined : await startMinimalRoute(key, minimalRouteDirectory);
  try {
    /** @type {{ healthz: ThroughputResult[], whoami: ThroughputResult[], minimal: ThroughputResult[] }} */
    const passes = { healthz: [], whoami: [], minimal: [] };
    for (let pass = 0; pass < settings.throughputPasses; pass++) {
      passes.healthz.push(await measureThroughput(server, { path: "/healthz", ...load }));
      passes.whoami.push(await measureWhoami(server, key, load));
      if (minimalRoute)
        passes.minimal.push(await measureThroughput(minimalRoute.server, minimalRoute.request(load)));
    }
    const healthz = combinePasses(passes.healthz);
    const whoami = combinePasses(passes.whoami);
    const minimal = minimalRoute ? combinePasses(passes.minimal) : undefined;
    return { healthz, whoami, minimal, ratio: whoami.requestsPerSecond / healthz.requestsPerSecond };
  } finally {
    await minimalRoute?.stop();
  }
}

/** A workspace owner's key on `server`, for whoami. */
export async function createWhoamiKey(server) {
  const owner = await createOwnerWithWorkspace(server.url);
  return (await createApiKey(server.url, owner, "bench whoami")).key;
}

/** whoami with `key` under `load` (connections, warm-up and measured window). */
export function measureWhoami(server, key, load) {
  return measureThroughput(server, {
    path: "/api/v1/worker/whoami",
    headers: { authorization: `Bearer ${key}` },
    ...load,
  });
}

/** The load of one pass: the bench's connections, its warm-up, then `durationMs` measured. */
export function passLoad(settings, durationMs) {
  return { connections: settings.connections, warmupMs: settings.passWarmupMs, durationMs };
}

/**
 * The same key checked by a minimal Fastify route (minimal-route.mjs: SHA-256, an SQLite look-up,
 * nothing else): the floor whoami, with everything the product does around it, should still beat.
 */
async function startMinimalRoute(key, directory) {
  const path = "/verify";
  const route = startChildTask("./minimal-route.mjs");
  try {
    route.send({ type: "start", key, path, directory });
    const { url } = await route.next("listening", 10_000);
    return {
      server: { name: "minimal-route", url, pid: route.pid },
      /** @param {{ connections: number, warmupMs: number, durationMs: number }} load */
      request: (load) => ({ path, headers: { authorization: `Bearer ${key}` }, ...load }),
      stop: () => route.stop(),
    };
  } catch (error) {
    await route.stop();
    throw error;
  }
}

/**
 * A small fleet connected and revoked first: the gateway's code paths are then compiled and its
 * pools allocated, as on a server that has been running, so neither the memory baseline nor the
 * fan-out time includes one-off start-up costs.
 */
export async function warmUpGateway(apiServer, workerServer, owner, settings) {
  const { id, key } = await createApiKey(apiServer.url, owner, "bench warm-up");
  const fleet = await connectFleet(workerServer, {
    key,
    count: settings.warmupFleetSize,
    machinePrefix: `warmup-${workerServer.name}`,
  });
  await fleet.revoke(apiServer, { path: revokePath(owner, id), cookie: owner.cookie });
}

/**
 * Revocation fan-out, in rounds: each round connects a fleet with a fresh key to `workerServer`
 * and revokes the key through `apiServer`. One round on a shared 2-core machine varies by a factor
 * of two, so the figure is the median round; every round is kept for the details. The same machine
 * ids come back each round, as a fleet that logs in again with a new key would.
 *
 * `beforeFirstRevocation` runs while the first fleet is connected (to read the server's memory).
 */
export async function measureFanout(apiServer, workerServer, owner, settings, beforeFirstRevocation) {
  const rounds = [];
  for (let round = 1; round <= settings.fanoutRounds; round++) {
    const { id, key } = await createApiKey(apiServer.url, owner, `bench fan-out ${round}`);
    const fleet = await connectFleet(workerServer, {
      key,
      count: settings.fleetSize,
      machinePrefix: `fleet-${workerServer.name}`,
    });
    // Registration writes and bus events finish after the last `registered`; let them land.
    await settle(settings.settleMs);
    if (round === 1) await beforeFirstRevocation?.(fleet);
    const result = await fleet.revoke(apiServer, { path: revokePath(owner, id), cookie: owner.cookie });
    rounds.push({ ...result, connectMs: fleet.connectMs });
  }
  const complete = rounds.every((round) => round.received === round.fleetSize);
  return {
    rounds,
    fleetSize: settings.fleetSize,
    complete,
    lastRevokedMs: median(rounds.map((round) => round.lastRevokedMs ?? Number.POSITIVE_INFINITY)),
    baselineRoundTripMs: median(rounds.map((round) => round.baselineRoundTripMs)),
  };
}
