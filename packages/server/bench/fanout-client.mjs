/**
 * Child process: a fleet of WebSocket workers registered with one key, and the client that revokes
 * that key. The DELETE and every `revoked` arrival are timed on this process's clock, and the
 * baseline (a plain GET's round trip) is measured by this same client over the same connection.
 *
 * Protocol (IPC):
 *   { type: "connect", workerUrl, key, count, concurrency, machinePrefix }  →  { type: "connected", ... }
 *   { type: "revoke", apiUrl, path, cookie }                                →  { type: "revoked", ... }
 * Anything that goes wrong is sent as { type: "error", message } and ends the process.
 */
import http from "node:http";
import os from "node:os";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { serveParent } from "./child-task.mjs";
import { median } from "./statistics.mjs";

const HARD_LIMIT_MS = 120_000;
const REGISTER_TIMEOUT_MS = 15_000;
const CONNECT_PHASE_LIMIT_MS = 60_000;
const REVOKED_WAIT_LIMIT_MS = 10_000;
const CLOSE_WAIT_LIMIT_MS = 3_000;
const BASELINE_WARMUP_REQUESTS = 10;
const BASELINE_REQUESTS = 31;

/**
 * @typedef {object} BenchWorker
 * @property {WebSocket} socket
 * @property {number | undefined} revokedAfterMs
 * @property {number | undefined} closeCode
 * @property {NodeJS.Timeout | undefined} heartbeat
 */

/** @type {BenchWorker[]} */
const workers = [];
let revokeStartedAt = 0;
let revokedCount = 0;
let onAllRevoked = () => {};

/**
 * @param {string} workerUrl
 * @param {string} key
 * @param {string} machineId
 * @returns {Promise<BenchWorker>}
 */
function registerWorker(workerUrl, key, machineId) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(workerUrl, { headers: { authorization: `Bearer ${key}` } });
    /** @type {BenchWorker} */
    const worker = { socket, revokedAfterMs: undefined, closeCode: undefined, heartbeat: undefined };
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`worker ${machineId} was not registered within ${REGISTER_TIMEOUT_MS} ms`));
    }, REGISTER_TIMEOUT_MS);
    socket.on("open", () => {
      socket.send(
        JSON.stringify({
          type: "register",
          machineId,
          name: machineId,
          hostname: os.hostname(),
          os: process.platform,
          arch: process.arch,
          version: "bench",
        }),
      );
    });
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === "revoked" && worker.revokedAfterMs === undefined) {
        worker.revokedAfterMs = performance.now() - revokeStartedAt;
        revokedCount += 1;
        if (revokedCount === workers.length) onAllRevoked();
      } else if (message.type === "registered") {
        clearTimeout(timer);
        // Heartbeats keep the worker online however long the other phases take.
        const heartbeat = setInterval(
          () => socket.send(JSON.stringify({ type: "heartbeat" })),
          message.heartbeatIntervalMs,
        );
        heartbeat.unref();
        worker.heartbeat = heartbeat;
        resolve(worker);
      }
    });
    socket.on("unexpected-response", (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`worker ${machineId}: upgrade refused with ${response.statusCode}`));
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", (code) => {
      clearTimeout(timer);
      clearInterval(worker.heartbeat);
      worker.closeCode = code;
      reject(new Error(`worker ${machineId} closed with ${code} before it was registered`));
    });
  });
}

/** @param {{ workerUrl: string, key: string, count: number, concurrency: number, machinePrefix: string }} command */
async function connectWorkers({ workerUrl, key, count, concurrency, machinePrefix }) {
  const url = new URL("/api/v1/worker/connect", workerUrl.replace(/^http/, "ws"));
  if (url.hostname !== "127.0.0.1") throw new Error("workers only connect to 127.0.0.1");
  const startedAt = performance.now();
  const deadline = startedAt + CONNECT_PHASE_LIMIT_MS;
  let next = 0;
  const connectSome = async () => {
    while (next < count) {
      if (performance.now() > deadline) throw new Error(`connecting ${count} workers took too long`);
      const index = next++;
      workers.push(await registerWorker(url.href, key, `${machinePrefix}-${String(index).padStart(4, "0")}`));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, connectSome));
  return { count: workers.length, connectMs: performance.now() - startedAt };
}

/**
 * @param {http.Agent} agent
 * @param {string} apiUrl
 * @param {string} method
 * @param {string} path
 * @param {http.OutgoingHttpHeaders} [headers]
 * @returns {Promise<{ status: number | undefined, body: string, elapsedMs: number, endedAt: number }>}
 */
function timedRequest(agent, apiUrl, method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, apiUrl), { method, agent, headers, timeout: 10_000 });
    const startedAt = performance.now();
    request.on("response", (response) => {
      /** @type {Buffer[]} */
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode,
          body: Buffer.concat(chunks).toString(),
          elapsedMs: performance.now() - startedAt,
          endedAt: performance.now(),
        }),
      );
    });
    request.on("timeout", () => request.destroy(new Error(`${method} ${path} timed out`)));
    request.on("error", reject);
    request.end();
  });
}

/**
 * @param {() => boolean} condition
 * @param {number} limitMs
 */
function waitUntil(condition, limitMs) {
  return /** @type {Promise<void>} */ (
    new Promise((resolve) => {
      const startedAt = performance.now();
      const check = () => {
        if (condition() || performance.now() - startedAt > limitMs) resolve();
        else setTimeout(check, 5);
      };
      check();
    })
  );
}

/** @param {{ apiUrl: string, path: string, cookie: string }} command */
async function revokeAndTime({ apiUrl, path, cookie }) {
  if (new URL(apiUrl).hostname !== "127.0.0.1") throw new Error("the API is only called on 127.0.0.1");
  // One kept-alive connection for the baseline and the DELETE, so both pay the same transport cost.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < BASELINE_WARMUP_REQUESTS; i++) await timedRequest(agent, apiUrl, "GET", "/healthz");
  const roundTrips = [];
  for (let i = 0; i < BASELINE_REQUESTS; i++) {
    roundTrips.push((await timedRequest(agent, apiUrl, "GET", "/healthz")).elapsedMs);
  }

  /** @type {number | undefined} */
  let clientCpuMs;
  const cpuAtStart = process.cpuUsage();
  /** @type {Promise<void>} */
  const allRevoked = new Promise((resolve) => {
    onAllRevoked = () => {
      const cpu = process.cpuUsage(cpuAtStart);
      clientCpuMs = (cpu.user + cpu.system) / 1000;
      resolve();
    };
  });
  revokeStartedAt = performance.now();
  const response = await timedRequest(agent, apiUrl, "DELETE", path, { cookie });
  if (response.status !== 200)
    throw new Error(`DELETE ${path} answered ${response.status}: ${response.body}`);
  await Promise.race([allRevoked, new Promise((resolve) => setTimeout(resolve, REVOKED_WAIT_LIMIT_MS))]);
  await waitUntil(() => workers.every((worker) => worker.closeCode !== undefined), CLOSE_WAIT_LIMIT_MS);
  agent.destroy();

  const arrivals = workers.map((worker) => worker.revokedAfterMs).filter((ms) => ms !== undefined);
  return {
    baselineRoundTripMs: median(roundTrips),
    deleteResponseMs: response.endedAt - revokeStartedAt,
    disconnectedWorkers: JSON.parse(response.body).disconnectedWorkers,
    fleetSize: workers.length,
    received: arrivals.length,
    firstRevokedMs: arrivals.length > 0 ? Math.min(...arrivals) : undefined,
    medianRevokedMs: arrivals.length > 0 ? median(arrivals) : undefined,
    lastRevokedMs: arrivals.length > 0 ? Math.max(...arrivals) : undefined,
    closedWith4001: workers.filter((worker) => worker.closeCode === 4001).length,
    // Near lastRevokedMs means this client, not the server, set the pace of the last arrivals.
    clientCpuMs,
  };
}

serveParent(HARD_LIMIT_MS, {
  connect: ["connected", connectWorkers],
  revoke: ["revoked", revokeAndTime],
});
