/**
 * Child process: keep-alive HTTP load against one route, so the load does not share the server's
 * event loop. It speaks HTTP/1.1 over raw sockets with a pre-built request: Node's http client
 * costs several times more CPU per request, and on a 2-core machine the generator would otherwise
 * saturate before the server does and flatten every ratio towards 1.
 *
 * Protocol (IPC): receives { url, path, headers, connections, warmupMs, durationMs }; sends
 * { type: "window-start" } when measuring begins, then { type: "result", ... } or { type: "error" }.
 */
import net from "node:net";
import { performance } from "node:perf_hooks";
import { sendToParent } from "./child-task.mjs";

const HARD_LIMIT_MS = 60_000;

function buildRequest(url, path, headers) {
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${url.host}`, "Connection: keep-alive"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
}

const HEADER_END = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function generateLoad(config) {
  const url = new URL(config.url);
  if (url.hostname !== "127.0.0.1") throw new Error("load is only sent to 127.0.0.1");
  const request = buildRequest(url, config.path, config.headers);
  const startedAt = performance.now();
  const windowStart = startedAt + config.warmupMs;
  const windowEnd = windowStart + config.durationMs;
  const statuses = new Map();
  const latencies = [];
  let completed = 0;
  /** @type {NodeJS.CpuUsage | undefined} */
  let cpuAtStart;
  /** @type {Error | undefined} */
  let failure;

  const windowTimer = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
    sendToParent({ type: "window-start" });
  }, config.warmupMs);

  const runConnection = () =>
    new Promise((resolve) => {
      const socket = net.connect({ host: url.hostname, port: Number(url.port) });
      socket.setNoDelay(true);
      /** @type {Buffer} */
      let buffered = Buffer.alloc(0);
      let sentAt = 0;
      const sendNext = () => {
        if (failure || performance.now() >= windowEnd) {
          socket.end();
          // A server that never closes its side must not hold the generator open.
          setTimeout(() => socket.destroy(), 2_000).unref();
          return;
        }
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on("connect", sendNext);
      socket.on("data", (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        // One request is outstanding per connection, so at most one response is complete here.
        const headerEnd = buffered.indexOf(HEADER_END);
        if (headerEnd < 0) return;
        const head = buffered.toString("latin1", 0, headerEnd);
        const length = CONTENT_LENGTH.exec(head);
        if (!length) {
          failure = new Error(`response without content-length: ${head.split("\r\n")[0]}`);
          socket.destroy();
          return;
        }
        const total = headerEnd + HEADER_END.length + Number(length[1]);
        if (buffered.length < total) return;
        buffered = buffered.subarray(total);
        const now = performance.now();
        if (now >= windowStart && now < windowEnd) {
          const status = head.slice(9, 12);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          latencies.push(now - sentAt);
          completed += 1;
        }
        sendNext();
      });
      socket.on("error", (error) => {
        failure ??= error;
      });
      socket.on("close", resolve);
    });

  await Promise.all(Array.from({ length: config.connections }, runConnection));
  clearTimeout(windowTimer);
  if (failure) throw failure;
  const cpu = process.cpuUsage(cpuAtStart);
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: completed / (config.durationMs / 1000),
    completed,
    statuses: Object.fromEntries(statuses),
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    generatorCpuPercent: ((cpu.user + cpu.system) / 1000 / config.durationMs) * 100,
  };
}

// Bounded in time even if the parent forgets this process; gone with the parent.
setTimeout(() => process.exit(2), HARD_LIMIT_MS).unref();
process.on("disconnect", () => process.exit(1));
process.once("message", (config) => {
  generateLoad(config).then(
    (result) => sendToParent({ type: "result", ...result }, () => process.exit(0)),
    (error) => sendToParent({ type: "error", message: String(error?.stack ?? error) }, () => process.exit(1)),
  );
});
