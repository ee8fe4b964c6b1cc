/**
 * Starts the built cogno-server as its own process, on loopback only. At the log level a benchmark
 * needs (warn) the server prints no ready line, so the bench picks a free port itself and waits
 * until GET /healthz answers.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { hasExited, stopChild, trackChild } from "./children.mjs";

const SERVER_BIN = fileURLToPath(new URL("../bin/cogno-server.js", import.meta.url));
const HOST = "127.0.0.1";
const INSPECTOR_URL = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/;

function findFreePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

async function isHealthy(url) {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * @param {{ name: string, env: Record<string, string>, inspect?: boolean, timeoutMs?: number, port?: number }} options
 *   inspect opens the V8 inspector on a loopback port, so the bench can force a garbage collection
 *   and read heap figures without any change to the server. port reuses a port (a restart under
 *   connected workers); by default a free one is picked.
 */
export async function startServer({ name, env, inspect = false, timeoutMs = 20_000, port: wanted }) {
  const port = wanted ?? (await findFreePort());
  const args = inspect ? [`--inspect=${HOST}:0`, SERVER_BIN] : [SERVER_BIN];
  const child = trackChild(
    spawn(process.execPath, args, {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        COGNO_HOST: HOST,
        COGNO_PORT: String(port),
        COGNO_LOG_LEVEL: "warn",
        COGNO_LOG_FORMAT: "json",
        // The bench authenticates thousands of times from one address; none of it may be throttled.
        COGNO_AUTH_FAILURES_PER_MINUTE: "1000000",
        COGNO_SIGNUPS_PER_MINUTE: "1000000",
        // Fleets of thousands on one key, registering at once: the per-key caps must not pace them.
        COGNO_MAX_CONNECTIONS_PER_KEY: "100000",
        COGNO_NEW_WORKERS_PER_KEY_PER_MINUTE: "1000000",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let output = "";
  const collect = (chunk) => {
    // Keep the tail only: a server complaining in a loop must not fill the bench's memory.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await isHealthy(url))) {
    if (hasExited(child)) throw new Error(`server ${name} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`server ${name} did not answer /healthz within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const inspectorUrl = inspect ? INSPECTOR_URL.exec(output)?.[1] : undefined;
  if (inspect && !inspectorUrl) throw new Error(`server ${name} did not print its inspector address`);

  return {
    name,
    url,
    port,
    pid: child.pid,
    inspectorUrl,
    output: () => output,
    async stop() {
      await stopChild(child);
      // A crash during the run is an error even if every figure came out.
      if (child.exitCode !== 0 && child.signalCode !== "SIGTERM") {
        throw new Error(`server ${name} ended with ${child.exitCode ?? child.signalCode}:\n${output}`);
      }
    },
  };
}
