/**
 * Request ids (API.md "Operations, v1.1"): every response carries `x-request-id`, an error body
 * carries it as `error.requestId`, and the request's log lines as `reqId` (Fastify's child logger).
 * A proxy's or client's own id is kept when it is sane, so one id follows a request through every
 * hop; anything else (too long, spaces, control characters that could forge a log line) is
 * replaced by a fresh one rather than trusted.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import type { WebSocketServer } from "ws";

export const REQUEST_ID_HEADER = "x-request-id";

/** UUIDs, ULIDs, hex trace ids, `Root=1-…` and the like; at most 128 characters. */
const SANE_REQUEST_ID = /^[\w.:=+/-]{1,128}$/;

/** The id of a request: the incoming header when sane, else a new UUID. For Fastify's `genReqId`. */
export function requestIdOf(request: Pick<IncomingMessage, "headers">): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Sets the header on the raw response as soon as the request arrives: Node merges it into whatever
 * is written later, so answers that bypass Fastify's reply (the event stream, files) carry it too.
 * Registered before any hook that may refuse the request. A callback hook, as every global hook
 * here: an async one costs each request a promise and a turn of the microtask queue.
 */
export function registerRequestIds(app: FastifyInstance): void {
  app.addHook("onRequest", (request, reply, done) => {
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
    // Remembered for WebSocket upgrades alone (Node marks those requests `upgrade`): a WeakMap entry
    // for every plain request was garbage-collection work with no reader.
    if ((request.raw as { upgrade?: boolean }).upgrade === true) idOfRaw.set(request.raw, request.id);
    done();
  });
}

/** The id given to each raw request, for the one answer written outside Fastify: a WebSocket's 101. */
const idOfRaw = new WeakMap<IncomingMessage, string>();

/** Adds the request's id to the 101 Switching Protocols that starts a WebSocket. */
export function addRequestIdsToUpgrades(server: WebSocketServer): void {
  server.on("headers", (headers, request) => {
    const id = idOfRaw.get(request);
    if (id !== undefined) headers.push(`${REQUEST_ID_HEADER}: ${id}`);
  });
}
