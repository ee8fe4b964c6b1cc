/**
 * How long, and how much, one client connection may hold the server: timeouts for requests that
 * arrive slowly or not at all, a bound on pipelined requests, and the drain at shutdown. Node's
 * defaults suit none of it: Fastify turns the request timeout off, a silent connection counts as
 * busy (so closing the server waits for it), and a connection may pipeline without limit.
 */
import { randomUUID } from "node:crypto";
import type { ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from "fastify";
import { errorBody } from "./error-handler.ts";
import { AppError } from "./errors.ts";
import { REQUEST_ID_HEADER } from "./request-id.ts";

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
/**
 * Requests one connection may have waiting for their answers. Browsers do not pipeline; a client
 * that sends more without reading the answers is refused by closing the connection, so it cannot
 * make the server open a file or build a response for each of thousands of queued requests.
 */
export const MAX_PIPELINED_REQUESTS = 16;

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
  // No request was parsed, so none of its id can be kept: this answer gets a fresh one.
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody(new AppError("validation_failed", message), requestId));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

interface ConnectionState {
  /** Responses not yet finished, with the stream each sends if it sends one (a file). */
  pending: Map<FastifyReply["raw"], Readable | undefined>;
}

/**
 * Counts each connection's unanswered requests and closes a connection that goes over the bound.
 * When a connection closes, the streams of every unfinished response are destroyed: Node emits
 * "close" only for the response being written, not for those queued behind it, so a file stream
 * piped into a queued response would otherwise stay open for good (one descriptor per request).
 */
export function registerPipeliningLimit(app: FastifyInstance): void {
  const states = new WeakMap<Socket, ConnectionState>();

  const stateOf = (socket: Socket): ConnectionState => {
    let state = states.get(socket);
    if (!state) {
      const created: ConnectionState = { pending: new Map() };
      states.set(socket, created);
      socket.once("close", () => closeQueuedResponses(created));
      state = created;
    }
    return state;
  };

  app.addHook("onRequest", (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // A WebSocket upgrade leaves HTTP behind: its socket is the gateway's from here on. (Node sets
    // `upgrade` only on requests it handed to the "upgrade" event, not for any Upgrade header.)
    if ((request.raw as { upgrade?: boolean }).upgrade === true) return done();
    const socket = request.raw.socket;
    if (socket.destroyed) {
      // A request parsed from the same read as the one that went over the bound: drop it.
      reply.hijack();
      return done();
    }
    const state = stateOf(socket);
    if (state.pending.size >= MAX_PIPELINED_REQUESTS) {
      request.log.warn(
        { pipelined: state.pending.size + 1 },
        "closing a connection that pipelines more requests than allowed",
      );
      reply.hijack();
      socket.destroy();
      return done();
    }
    const response = reply.raw;
    state.pending.set(response, undefined);
    const settle = (): void => {
      state.pending.delete(response);
    };
    response.once("finish", settle);
    response.once("close", settle);
    done();
  });

  app.addHook("onSend", (request, reply, payload, done) => {
    if (!isStream(payload)) return done(null, payload);
    const socket = request.raw.socket;
    if (socket.destroyed) {
      // The client left before the file was opened: close it now, send nothing.
      payload.destroy();
      return done(null, "");
    }
    const state = states.get(socket);
    if (state?.pending.has(reply.raw)) state.pending.set(reply.raw, payload);
    done(null, payload);
  });
}

function closeQueuedResponses(state: ConnectionState): void {
  for (const [response, stream] of state.pending) {
    if (response.writableFinished) continue;
    stream?.destroy();
    if (!response.closed) {
      response.destroy();
      // No socket will ever be assigned to a queued response, so Node never emits this itself.
      response.emit("close");
    }
  }
  state.pending.clear();
}

function isStream(payload: unknown): payload is Readable {
  return (
    typeof payload === "object" &&
    payload !== null &&
    typeof (payload as Partial<Readable>).pipe === "function" &&
    typeof (payload as Partial<Readable>).destroy === "function"
  );
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

/**
 * While the server drains, a request that still arrives (pipelined, or on a kept-alive connection)
 * is answered 503 service_unavailable with Retry-After and the API.md error body; Fastify closes
 * its connection. (Fastify's own answer, return503OnClosing, has neither the contract's body nor a
 * request id.) Registered after the request-id hook; returns what starts the drain and tells it.
 */
export function registerDrainRefusal(app: FastifyInstance): { start(): void; draining(): boolean } {
  let draining = false;
  app.addHook("onRequest", (_request, _reply, done) => {
    if (!draining) return done();
    done(
      new AppError(
        "service_unavailable",
        "This server is shutting down. Send the request again: another server (or this one, restarted) answers it.",
        { retryAfter: 1 },
      ),
    );
  });
  return {
    start() {
      draining = true;
    },
    draining: () => draining,
  };
}
