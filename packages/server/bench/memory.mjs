/**
 * Memory of a server started with the inspector on a loopback port. A full garbage collection comes
 * first, so that two readings compare live objects rather than whatever garbage was not yet
 * collected; then the resident set size is read from /proc, as the operating system sees it.
 */
import WebSocket from "ws";
import { readRssKib } from "./process-stats.mjs";

export async function readServerMemory(server) {
  const heap = await readHeapAfterGc(server.inspectorUrl);
  return {
    rssBytes: readRssKib(server.pid) * 1024,
    heapUsedBytes: heap.heapUsed,
    externalBytes: heap.external,
  };
}

async function readHeapAfterGc(inspectorUrl, timeoutMs = 10_000) {
  const socket = new WebSocket(inspectorUrl);
  const pending = new Map();
  let nextId = 1;
  socket.on("message", (data) => {
    const reply = JSON.parse(data.toString());
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error) waiter.reject(new Error(`inspector: ${reply.error.message}`));
    else waiter.resolve(reply.result);
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  try {
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
      socket.once("close", () => reject(new Error("inspector connection closed")));
    });
    // Twice: objects with finalizers or weak references need a second pass to be freed.
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    const evaluated = await call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    });
    const usage = JSON.parse(evaluated.result.value);
    return { heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers };
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}
