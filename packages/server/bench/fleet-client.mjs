/**
 * Child process: a fleet of WebSocket workers for the fleet figures, on this process's clock.
 *
 * Protocol (IPC):
 *   { type: "storm", workerUrl, key, count, machinePrefix }
 *       opens `count` sockets, then sends every `register` at once and times until the last
 *       `registered`; the baseline is one register's round trip on an idle server (median of 11)
 *       → { type: "stormed", stormMs, baselineMs, count }
 *   { type: "hold", workerUrl, key, count, machinePrefix }
 *       registers `count` workers and keeps them, reconnecting as the daemon does (a 1001 or a drop:
 *       again after a jittered, capped backoff) → { type: "held", count, connectMs }
 *   { type: "await-back", since }   (since: a Date.now() of the parent's)
 *       → { type: "back", lastBackMs, reconnects } once every worker registered again after `since`
 * Anything that goes wrong is sent as { type: "error", message } and ends the process.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { serveParent } from "./child-task.mjs";
import { median } from "./statistics.mjs";

const HARD_LIMIT_MS = 170_000;
const OPEN_CONCURRENCY = 64;
const BASELINE_REGISTERS = 11;
/** The daemon's reconnect plan (packages/cli/src/daemon/reconnect.ts and backoff.ts). */
const DRAIN_RECONNECT_SPREAD_MS = 2_000;
const DRAIN_RETRIES = 15;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 15_000;

function wsUrl(workerUrl) {
  const url = new URL("/api/v1/worker/connect", workerUrl.replace(/^http/, "ws"));
  if (url.hostname !== "127.0.0.1") throw new Error("workers only connect to 127.0.0.1");
  return url.href;
}

function registerMessage(machineId) {
  return JSON.stringify({
    type: "register",
    machineId,
    name: machineId,
    hostname: os.hostname(),
    os: process.platform,
    arch: process.arch,
    version: "bench",
  });
}

/** Opens an authenticated socket; resolves once it is open (nothing sent yet). */
function openSocket(url, key) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
    socket.once("open", () => resolve(socket));
    socket.once("unexpected-response", (_request, response) =>
      reject(new Error(`upgrade refused with ${response.statusCode}`)),
    );
    socket.once("error", reject);
  });
}

function nextRegistered(socket) {
  return new Promise((resolve, reject) => {
    socket.once("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === "registered") resolve(message);
      else reject(new Error(`expected registered, got ${data}`));
    });
    socket.once("close", (code) => reject(new Error(`closed with ${code} before registered`)));
  });
}

async function inParallel(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  const run = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, run));
  return results;
}

async function storm({ workerUrl, key, count, machinePrefix }) {
  const url = wsUrl(workerUrl);
  const roundTrips = [];
  for (let i = 0; i < BASELINE_REGISTERS; i++) {
    const socket = await openSocket(url, key);
    const startedAt = performance.now();
    const registered = nextRegistered(socket);
    socket.send(registerMessage(`${machinePrefix}-alone-${i}`));
    await registered;
    roundTrips.push(performance.now() - startedAt);
    socket.close();
  }
  const sockets = await inParallel(count, OPEN_CONCURRENCY, () => openSocket(url, key));
  const startedAt = performance.now();
  const all = sockets.map((socket) => nextRegistered(socket));
  sockets.forEach((socket, index) => {
    socket.send(registerMessage(`${machinePrefix}-${String(index).padStart(5, "0")}`));
  });
  await Promise.all(all);
  const stormMs = performance.now() - startedAt;
  for (const socket of sockets) socket.close();
  return { stormMs, baselineMs: median(roundTrips), count };
}

/**
 * @typedef {object} HeldWorker
 * @property {string} machineId
 * @property {number} registeredAt
 * @property {boolean} registeredSinceConnect
 * @property {number} attempts
 * @property {number} drainRetries
 * @property {number} reconnects
 * @property {WebSocket | undefined} socket
 * @property {boolean} stopped
 * @property {(() => void) | undefined} [onRegistered]
 */

/** Workers that stay, and come back when the server goes away, as `cogno` does. */
/** @type {HeldWorker[]} */
const held = [];
let heldKey;
let heldUrl;

function holdWorker(machineId) {
  /** @type {HeldWorker} */
  const worker = {
    machineId,
    registeredAt: 0,
    registeredSinceConnect: false,
    attempts: 0,
    drainRetries: 0,
    reconnects: 0,
    socket: undefined,
    stopped: false,
  };
  const connect = () => {
    const socket = new WebSocket(heldUrl, { headers: { authorization: `Bearer ${heldKey}` } });
    worker.socket = socket;
    let heartbeat;
    let opened = false;
    socket.on("open", () => {
      opened = true;
      socket.send(registerMessage(machineId));
    });
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === "registered") {
        worker.registeredAt = Date.now();
        worker.registeredSinceConnect = true;
        worker.onRegistered?.();
        heartbeat = setInterval(() => socket.send('{"type":"heartbeat"}'), message.heartbeatIntervalMs);
        heartbeat.unref();
      }
    });
    socket.on("error", () => {});
    socket.on("close", (code) => {
      clearInterval(heartbeat);
      if (code === 4001 || code === 4000 || code === 4002 || worker.stopped) return;
      // As the daemon: a 1001 to a registered worker comes back within 2 s, and so do up to 15
      // connections after it that fail (the server restarting); anything else backs off
      // exponentially with full jitter, capped at 15 s, counting failures since the last register.
      const registered = worker.registeredSinceConnect;
      worker.registeredSinceConnect = false;
      if (registered) worker.attempts = 0;
      let delay;
      if (code === 1001 && registered) {
        worker.drainRetries = DRAIN_RETRIES;
        delay = Math.random() * DRAIN_RECONNECT_SPREAD_MS;
      } else if ((!opened || code === 1001) && worker.drainRetries > 0) {
        worker.drainRetries -= 1;
        delay = Math.random() * DRAIN_RECONNECT_SPREAD_MS;
      } else {
        worker.drainRetries = 0;
        delay = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** worker.attempts++);
      }
      worker.reconnects += 1;
      setTimeout(connect, delay).unref();
    });
  };
  connect();
  return worker;
}

async function hold({ workerUrl, key, count, machinePrefix }) {
  heldUrl = wsUrl(workerUrl);
  heldKey = key;
  const startedAt = performance.now();
  await inParallel(
    count,
    OPEN_CONCURRENCY,
    (index) =>
      /** @type {Promise<void>} */ (
        new Promise((resolve) => {
          const worker = holdWorker(`${machinePrefix}-${String(index).padStart(5, "0")}`);
          worker.onRegistered = () => {
            worker.onRegistered = undefined;
            resolve();
          };
          held.push(worker);
        })
      ),
  );
  return { count: held.length, connectMs: performance.now() - startedAt };
}

/** @param {{ since: number }} command */
async function awaitBack({ since }) {
  /** @type {Promise<void>} */
  const back = new Promise((resolve) => {
    const check = () => {
      if (held.every((worker) => worker.registeredAt > since)) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
  await back;
  const last = Math.max(...held.map((worker) => worker.registeredAt));
  for (const worker of held) {
    worker.stopped = true;
    worker.socket?.close();
  }
  return {
    lastBackMs: last - since,
    reconnects: held.reduce((sum, worker) => sum + worker.reconnects, 0),
  };
}

serveParent(HARD_LIMIT_MS, {
  storm: ["stormed", storm],
  hold: ["held", hold],
  "await-back": ["back", awaitBack],
});
