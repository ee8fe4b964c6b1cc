/**
 * How long one client connection may hold the server: timeouts for requests that arrive slowly or
 * not at all, and the drain at shutdown. Node's defaults do not suit: Fastify turns the request
 * timeout off, Node checks the timeouts only every 30 s, and a silent connection counts as busy
 * (so closing the server waits for it).
 */
import type { ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { errorBody } from "./error-handler.ts";
import { AppError } from "./errors.ts";

/** The whole request head (request line and headers) must arrive within this. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included, must arrive within this (bodies are at most 64 KiB). */
export const REQUEST_TIMEOUT_MS = 20_000;
/**
 * A socket with no traffic either way for this long is closed: a client that stopped reading holds
 * nothing for longer. Event streams send a keep-alive every 15 s at most; worker sockets are
 * WebSockets, which turn this off and check heartbeats themselves.
 */
export const IDLE_SOCKET_TIMEOUT_MS = 30_000;
/** How often Node checks the two request timeouts; without it they are enforced up to 30 s late. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Fastify's server options for the limits above. */
export const connectionOptions = {
  connectionTimeout: IDLE_SOCKET_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
  clientErrorHandler: answerClientError,
} satisfies FastifyServerOptions & { http: ServerOptions };

/**
 * Answers what Node refuses before any route runs (a request too slow to arrive, headers too large,
 * bytes that are not HTTP) with the API.md error body, then closes the connection.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, reason, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "Request Timeout", "The request did not arrive in time. Send it again."]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large", "The request headers are too large."]
        : [400, "Bad Request", "The request is not valid HTTP."];
  const body = JSON.stringify(errorBody(new AppError("validation_failed", message)));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Closes the server: no new connections, idle ones closed at once, requests in flight given
 * `graceMs` to finish; then every connection still open is closed, whatever its client does.
 */
export async function closeWithin(app: FastifyInstance, graceMs: number): Promise<void> {
  const closed = app.close();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"grace over">((resolve) => {
    timer = setTimeout(() => resolve("grace over"), graceMs);
  });
  const outcome = await Promise.race([closed.then(() => "closed" as const), graceOver]);
  clearTimeout(timer);
  if (outcome === "grace over") {
    app.log.warn("closing connections that did not finish in time");
    app.server.closeAllConnections();
  }
  await closed;
}
