/**
 * What one client connection may hold, proved with raw TCP clients against the real server process:
 * a request that arrives slowly or not at all is cut off, a connection that pipelines without
 * reading is closed and leaves no descriptor or memory behind, and SIGTERM finishes within its
 * bound whatever clients do.
 */
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { errorBodySchema } from "@cogno/protocol";
import { afterAll, describe, expect, it, vi } from "vitest";
import { assertShape, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer, useServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";

/** The server's bounds (packages/server/src/http/connections.ts, app.ts), with room for a busy machine. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 20_000;
const SHUTDOWN_MS = 4_000;
const SLACK_MS = 3_000;

const fixture = useServer();

interface RawConnection {
  socket: net.Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the milliseconds from opening until the server closed the connection. */
  closed: Promise<number>;
}

async function connect(port: number, options: { read: boolean } = { read: true }): Promise<RawConnection> {
  const openedAt = Date.now();
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now() - openedAt)));
  socket.on("error", () => {});
  if (options.read) socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
  else socket.pause();
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, received: () => received, closed };
}

/** Resolves with the result, or with "still open" once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "still open"> {
  return Promise.race([
    promise,
    new Promise<"still open">((resolve) => setTimeout(resolve, ms, "still open")),
  ]);
}

function openDescriptors(server: RunningServer): number {
  return readdirSync(`/proc/${server.process.pid}/fd`).length;
}

function residentMiB(server: RunningServer): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024);
}

/**
 * A client that never reads cannot see the server close the connection; its writes can. Writes a
 * byte every 100 ms until one fails, and resolves with how long that took.
 */
async function writeUntilRefused(socket: net.Socket, timeoutMs: number): Promise<number | "still open"> {
  const startedAt = Date.now();
  while (Date.now() - startedAt < timeoutMs) {
    if (socket.destroyed) return Date.now() - startedAt;
    const failed = await new Promise<boolean>((resolve) => {
      socket.write(" ", (error) => resolve(error !== undefined && error !== null));
      setTimeout(resolve, 100, false);
    });
    if (failed || socket.destroyed) return Date.now() - startedAt;
  }
  return "still open";
}

// The two wait out timeouts of their own: side by side, not one after the other.
describe.concurrent("slow clients", () => {
  it("regression: a request body sent one byte per second was never timed out; now 408 within the request timeout", async () => {
    const connection = await connect(fixture.server.port);
    connection.socket.write(
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    );
    const trickle = setInterval(() => connection.socket.write(" "), 1_000);
    try {
      const closedAfter = await within(connection.closed, REQUEST_TIMEOUT_MS + SLACK_MS);
      expect(closedAfter).not.toBe("still open");
      expect(closedAfter).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 1_000);
      console.info(`slow body: cut off after ${closedAfter} ms`);
      expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
      const body: unknown = JSON.parse(connection.received().split("\r\n\r\n")[1] ?? "");
      assertShape(errorBodySchema, body);
      expect(body).toEqual({
        error: { code: "validation_failed", message: expect.any(String), requestId: expect.any(String) },
      });
    } finally {
      clearInterval(trickle);
      connection.socket.destroy();
    }
  });

  it("closes a connection that sends nothing, or only part of its headers, after the headers timeout", async () => {
    const silent = await connect(fixture.server.port);
    const partial = await connect(fixture.server.port);
    partial.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    try {
      const [silentAfter, partialAfter] = await Promise.all(
        [silent, partial].map((connection) => within(connection.closed, HEADERS_TIMEOUT_MS + SLACK_MS)),
      );
      console.info(
        `silent connection closed after ${silentAfter} ms, partial headers after ${partialAfter} ms`,
      );
      expect(silentAfter).not.toBe("still open");
      expect(partialAfter).not.toBe("still open");
    } finally {
      silent.socket.destroy();
      partial.socket.destroy();
    }
  });
});

describe("pipelining", () => {
  it("regression: 20,000 pipelined requests for a static asset, never read, held a descriptor each; now the connection is closed and nothing is left", async () => {
    const page = await fetch(`${fixture.server.url}/`).then((response) => response.text());
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(asset, "the web app must be built (npm run build)").toBeDefined();
    await fetch(`${fixture.server.url}${asset}`).then((response) => response.arrayBuffer());
    const baseline = { descriptors: openDescriptors(fixture.server), memory: residentMiB(fixture.server) };

    const greedy = await connect(fixture.server.port, { read: false });
    greedy.socket.write(`GET ${asset} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(20_000));
    const peak = { descriptors: 0, memory: 0 };
    const watch = setInterval(() => {
      peak.descriptors = Math.max(peak.descriptors, openDescriptors(fixture.server));
      peak.memory = Math.max(peak.memory, residentMiB(fixture.server));
    }, 50);
    const refusedAfter = await writeUntilRefused(greedy.socket, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    clearInterval(watch);
    greedy.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = { descriptors: openDescriptors(fixture.server), memory: residentMiB(fixture.server) };
    console.info(
      `pipelining: closed after ${refusedAfter} ms; descriptors ${baseline.descriptors} → peak ${peak.descriptors} → ${after.descriptors}; memory ${baseline.memory} → peak ${peak.memory} → ${after.memory} MiB`,
    );
    expect(refusedAfter).not.toBe("still open");
    expect(peak.descriptors).toBeLessThanOrEqual(baseline.descriptors + 20);
    expect(after.descriptors).toBeLessThanOrEqual(baseline.descriptors + 2);
    expect(peak.memory - baseline.memory).toBeLessThan(100);
    expect(fixture.server.process.exitCode).toBeNull();
  });

  it("regression: pipelined API requests, never read, queued without bound; now the connection is closed", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const baseline = residentMiB(fixture.server);
    const greedy = await connect(fixture.server.port, { read: false });
    const request = `GET /api/v1/workspaces/${owner.workspaceId}/workers HTTP/1.1\r\nHost: x\r\nCookie: ${owner.client.sessionCookie}\r\n\r\n`;
    greedy.socket.write(request.repeat(5_000));
    const refusedAfter = await writeUntilRefused(greedy.socket, 10_000);
    greedy.socket.destroy();
    expect(refusedAfter).not.toBe("still open");
    expect(residentMiB(fixture.server) - baseline).toBeLessThan(100);
    // A client that does not pipeline is served as before.
    expect((await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers`)).status).toBe(200);
  });
});

describe("shutdown", () => {
  const servers: RunningServer[] = [];
  const stores: TestStore[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop("SIGKILL");
    for (const store of stores) await store.cleanup();
  });

  it("regression: SIGTERM never finished while clients held connections that sent nothing or trickled; now it exits 0 within its bound", async () => {
    const store = await createTestStore();
    stores.push(store);
    const server = await startServer({ store });
    servers.push(server);
    const owner = await signUpWithWorkspace(server.url);

    const silent = await connect(server.port);
    const partial = await connect(server.port);
    partial.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const trickling = await connect(server.port);
    trickling.socket.write(
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    );
    const trickle = setInterval(() => trickling.socket.write(" "), 1_000);
    const idleKeepAlive = await connect(server.port);
    idleKeepAlive.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const stream = await connect(server.port);
    stream.socket.write(
      `GET /api/v1/workspaces/${owner.workspaceId}/events HTTP/1.1\r\nHost: x\r\nCookie: ${owner.client.sessionCookie}\r\n\r\n`,
    );
    const nonReader = await connect(server.port, { read: false });
    nonReader.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(10));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the stubborn requests reach the server
    await vi.waitFor(() => expect(stream.received()).toContain(": connected"), { timeout: 5_000 });

    try {
      const signalledAt = Date.now();
      const exit = await within(server.stop("SIGTERM"), SHUTDOWN_MS + 10_000);
      const tookMs = Date.now() - signalledAt;
      console.info(`SIGTERM with six stubborn clients: exit ${exit} after ${tookMs} ms`);
      expect(exit).toBe(0);
      expect(tookMs).toBeLessThan(SHUTDOWN_MS + SLACK_MS);
    } finally {
      clearInterval(trickle);
      for (const connection of [silent, partial, trickling, idleKeepAlive, stream, nonReader]) {
        connection.socket.destroy();
      }
    }
  });
});
