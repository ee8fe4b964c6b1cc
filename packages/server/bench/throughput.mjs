/**
 * Requests per second of one route, measured by a load generator in its own process. The server's
 * CPU use over the same window is read from /proc: near 100% means the server was the limit,
 * which is what a throughput ratio between two routes should compare. What other processes used
 * meanwhile is reported too: on a shared machine they take cores from both sides.
 */
import { startChildTask } from "./child-task.mjs";
import { readCpuMs, readMachineBusyCpuMs } from "./process-stats.mjs";
import { median } from "./statistics.mjs";

export async function measureThroughput(server, { path, headers = {}, connections, warmupMs, durationMs }) {
  const generator = startChildTask("./load-generator.mjs");
  try {
    generator.send({ url: server.url, path, headers, connections, warmupMs, durationMs });
    await generator.next("window-start", warmupMs + 10_000);
    const cpuBefore = readCpuMs(server.pid);
    const machineBefore = readMachineBusyCpuMs();
    const wallBefore = performance.now();
    const result = await generator.next("result", durationMs + 15_000);
    // The window ended slightly before the result arrived; the difference is a few milliseconds.
    const wallMs = performance.now() - wallBefore;
    const serverCpuPercent = ((readCpuMs(server.pid) - cpuBefore) / wallMs) * 100;
    const machineCpuPercent = ((readMachineBusyCpuMs() - machineBefore) / wallMs) * 100;
    const otherCpuPercent = Math.max(0, machineCpuPercent - serverCpuPercent - result.generatorCpuPercent);
    const failed = Object.entries(result.statuses).filter(([status]) => status !== "200");
    if (failed.length > 0 || result.completed === 0) {
      throw new Error(
        `GET ${path} on ${server.name}: answers other than 200: ${JSON.stringify(result.statuses)}`,
      );
    }
    // What one request cost the server, whatever set the pace (server or load generator).
    const serverMicrosecondsPerRequest = (serverCpuPercent / 100) * (1_000_000 / result.requestsPerSecond);
    return { ...result, serverCpuPercent, serverMicrosecondsPerRequest, otherCpuPercent };
  } finally {
    await generator.stop();
  }
}

/** @typedef {Awaited<ReturnType<typeof measureThroughput>>} ThroughputResult */

/**
 * One route's passes (equal windows) as one result: requests and CPU added up over all of them, so
 * the rate and the CPU per request are those of the whole measured time; latency percentiles, which
 * do not add up, are the median pass's.
 * @param {ThroughputResult[]} passes
 * @returns {ThroughputResult}
 */
export function combinePasses(passes) {
  const mean = (/** @type {(pass: ThroughputResult) => number} */ of) =>
    passes.reduce((sum, pass) => sum + of(pass), 0) / passes.length;
  const requestsPerSecond = mean((pass) => pass.requestsPerSecond);
  const serverCpuPercent = mean((pass) => pass.serverCpuPercent);
  /** @type {Record<string, number>} */
  const statuses = {};
  for (const pass of passes) {
    for (const [status, count] of Object.entries(pass.statuses))
      statuses[status] = (statuses[status] ?? 0) + count;
  }
  return {
    requestsPerSecond,
    completed: passes.reduce((sum, pass) => sum + pass.completed, 0),
    statuses,
    latencyP50Ms: median(passes.map((pass) => pass.latencyP50Ms)),
    latencyP99Ms: median(passes.map((pass) => pass.latencyP99Ms)),
    generatorCpuPercent: mean((pass) => pass.generatorCpuPercent),
    serverCpuPercent,
    serverMicrosecondsPerRequest: (serverCpuPercent / 100) * (1_000_000 / requestsPerSecond),
    otherCpuPercent: mean((pass) => pass.otherCpuPercent),
  };
}
