import type { AddressInfo } from "node:net";
import net from "node:net";
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_PIPELINED_REQUESTS, registerDrainRefusal, registerPipeliningLimit } from "./connections.ts";
import { registerErrorHandling } from "./error-handler.ts";
import { registerRequestIds, requestIdOf } from "./request-id.ts";

let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A server whose one route streams without end, counting the streams it opened and those closed. */
async function startStreamingServer() {
  const streams = { opened: 0, closed: 0 };
  const server = Fastify();
  registerPipeliningLimit(server);
  server.get("/endless", async (_request, reply) => {
    streams.opened += 1;
    const stream = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 120));
      },
    });
    stream.once("close", () => {
      streams.closed += 1;
    });
    return reply.type("application/octet-stream").send(stream);
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  app = server;
  return { port: (server.server.address() as AddressInfo).port, streams };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function pipelineWithoutReading(port: number, requests: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  socket.pause();
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests));
  return socket;
}

describe("registerPipeliningLimit", () => {
  it("regression: the streams of responses queued behind the one being written stayed open after the client left", async () => {
    const { port, streams } = await startStreamingServer();
    const client = await pipelineWithoutReading(port, MAX_PIPELINED_REQUESTS);
    await until(() => streams.opened === MAX_PIPELINED_REQUESTS);
    expect(streams.opened).toBe(MAX_PIPELINED_REQUESTS);
    client.destroy();
    await until(() => streams.closed === streams.opened);
    expect(streams).toEqual({ opened: MAX_PIPELINED_REQUESTS, closed: MAX_PIPELINED_REQUESTS });
  });

  it("closes a connection that pipelines more than the bound, and opens nothing for the requests past it", async () => {
    const { port, streams } = await startStreamingServer();
    const client = await pipelineWithoutReading(port, 1_000);
    const closed = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        client.write(" ", (error) => {
          if (error) {
            clearInterval(poll);
            resolve(true);
          }
        });
      }, 20);
      setTimeout(() => {
        clearInterval(poll);
        resolve(false);
      }, 5_000);
    });
    expect(closed).toBe(true);
    await until(() => streams.closed === streams.opened);
    expect(streams.opened).toBeLessThanOrEqual(MAX_PIPELINED_REQUESTS);
    expect(streams.closed).toBe(streams.opened);
    client.destroy();
  });
});

describe("while the server drains", () => {
  it("refuses a request that still arrives with 503 service_unavailable, Retry-After and the API.md body", async () => {
    const server = Fastify({ genReqId: requestIdOf, requestIdHeader: false });
    registerRequestIds(server);
    const drain = registerDrainRefusal(server);
    registerErrorHandling(server, { onDatabaseFault: () => {} });
    server.get("/work", async () => ({ done: true }));
    app = server;

    expect((await server.inject({ method: "GET", url: "/work" })).json()).toEqual({ done: true });
    drain.start();
    expect(drain.draining()).toBe(true);
    const refused = await server.inject({ method: "GET", url: "/work" });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.json()).toEqual({
      error: {
        code: "service_unavailable",
        message: expect.stringContaining("shutting down"),
        requestId: refused.headers["x-request-id"],
      },
    });
  });
});
