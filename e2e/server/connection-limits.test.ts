/**
 * What one client connection may hold, proved with raw TCP clients against the real server process:
 * a request that arrives slowly or not at all is cut off.
 */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { useServer } from "../support/server.ts";

/** The server's bounds (packages/server/src/http/connections.ts), with room for a busy machine. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 20_000;
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

describe("slow clients", () => {
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
      const body = JSON.parse(connection.received().split("\r\n\r\n")[1] ?? "");
      expect(body).toEqual({ error: { code: "validation_failed", message: expect.any(String) } });
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
