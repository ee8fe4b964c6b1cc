/** Steps both scenarios share: whoami against /healthz and a minimal route, and warming the worker gateway up. */
import { createApiKey, createOwnerWithWorkspace, revokePath } from "./api.mjs";
import { startChildTask } from "./child-task.mjs";
import { connectFleet } from "./fanout.mjs";
import { measureThroughput } from "./throughput.mjs";

export function settle(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * whoami and /healthz of one server, one after the other under the same load; given a directory for
 * its SQLite file, then the same key on a minimal route.
 * @param {{ minimalRouteDirectory?: string }} [options]
 */
export async function measureWhoamiAgainstHealthz(server, settings, options = {}) {
  const { minimalRouteDirectory } = options;
  const key = await createWhoamiKey(server);
  const load = loadOf(settings);
  const healthz = await measureThroughput(server, { path: "/healthz", ...load });
  const whoami = await measureWhoami(server, key, settings);
  const minimal =
    minimalRouteDirectory === undefined
      ? undefined
      : await measureMinimalRoute(key, load, minimalRouteDirectory);
  return { healthz, whoami, minimal, ratio: whoami.requestsPerSecond / healthz.requestsPerSecond };
}

/** A workspace owner's key on `server`, for whoami. */
export async function createWhoamiKey(server) {
  const owner = await createOwnerWithWorkspace(server.url);
  return (await createApiKey(server.url, owner, "bench whoami")).key;
}

/** whoami with `key` under the bench's load. */
export function measureWhoami(server, key, settings) {
  return measureThroughput(server, {
    path: "/api/v1/worker/whoami",
    headers: { authorization: `Bearer ${key}` },
    ...loadOf(settings),
  });
}

function loadOf(settings) {
  return { connections: settings.connections, warmupMs: settings.warmupMs, durationMs: settings.durationMs };
}

/**
 * The same key checked by a minimal Fastify route (minimal-route.mjs: SHA-256, an SQLite look-up,
 * nothing else), under the same load: the floor whoami, with everything the product does around
 * it, should still beat.
 */
async function measureMinimalRoute(key, load, directory) {
  const path = "/verify";
  const route = startChildTask("./minimal-route.mjs");
  try {
    route.send({ type: "start", key, path, directory });
    const { url } = await route.next("listening", 10_000);
    const server = { name: "minimal-route", url, pid: route.pid };
    return await measureThroughput(server, { path, headers: { authorization: `Bearer ${key}` }, ...load });
  } finally {
    await route.stop();
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
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
