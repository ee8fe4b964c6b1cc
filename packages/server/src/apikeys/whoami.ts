/**
 * GET /api/v1/worker/whoami: the key's identity. Every worker calls it, so it has two ways in that
 * give the same answer: the fast lane below, taken by a key verified earlier and trusted in memory,
 * and Fastify's route (routes.ts, registerWhoamiRoute) for everything else, refusals included.
 */
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { routes, whoamiResponseSchema } from "@cogno/protocol";
import fastJsonStringify from "fast-json-stringify";
import type { Logger } from "pino";
import { z } from "zod";
import type { ContractRouter } from "../http/contract-routes.ts";
import type { FastLane } from "../http/fast-lane.ts";
import { REQUEST_ID_HEADER, requestIdOf } from "../http/request-id.ts";
import { securityHeaders } from "../http/security-headers.ts";
import { logAnswer } from "../logging/logger.ts";
import type { HttpObserver } from "../metrics/instruments.ts";
import type { AuthenticatedKey, KeyAuthenticator } from "./authenticator.ts";

/** What whoami answers, as JSON. */
const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * The whoami answer is serialised by a compiled JSON-Schema serializer made from the contract's
 * schema: the route every worker calls stays as cheap as a static answer, and it can still name
 * only the fields of API.md.
 */
const serialize = fastJsonStringify(
  z.toJSONSchema(whoamiResponseSchema, { target: "draft-7" }) as Parameters<typeof fastJsonStringify>[0],
);

/**
 * Answers already made, by key: a key verified earlier is one object, read together with its
 * workspace and owner, for as long as memory keeps it; any change to the key drops it from memory
 * and the next read makes a new one. So its answer is made once, and never outlives what it says.
 */
const bodies = new WeakMap<AuthenticatedKey["apiKey"], string>();

export function whoamiBody({ apiKey, workspace }: AuthenticatedKey): string {
  let body = bodies.get(apiKey);
  if (body === undefined) {
    body = serialize({
      workspace,
      apiKey: { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix },
      user: apiKey.owner,
    });
    bodies.set(apiKey, body);
  }
  return body;
}

/** Fastify's route: every whoami the lane declines, and every in-process call (`inject`). */
export function registerWhoamiRoute(router: ContractRouter, keys: KeyAuthenticator): void {
  router.add(routes.whoami, async ({ request, reply }) => {
    const key = await keys.authenticate(request.headers.authorization, request.ip);
    // A JSON string is sent as it is: Fastify's serializer for the route does not run again.
    return reply.type(JSON_CONTENT_TYPE).send(whoamiBody(key));
  });
}

export interface WhoamiLaneDeps {
  keys: KeyAuthenticator;
  /** The address Fastify would give as `request.ip`. */
  clientAddress: (request: IncomingMessage) => string | undefined;
  /** True once the server drains: Fastify's route then answers 503 (http/connections.ts). */
  draining: () => boolean;
  https: boolean;
  observe: HttpObserver;
  log: Logger;
}

/**
 * The fast lane: a worker's whoami with a key verified earlier, answered without Fastify, with what
 * Fastify's route would send (status, headers, body), the same request id, metric and log line.
 * It declines (and Fastify's route answers) another method or URL, a query string or a body, a
 * response queued behind another on a pipelined connection (it has no socket yet, and Fastify's
 * pipelining limit counts it), a draining server, and every key `authenticateFromMemory` leaves
 * to `authenticate`: not in memory, refused, or from an address over its limit.
 */
export function whoamiLane(deps: WhoamiLaneDeps): FastLane {
  const path = routes.whoami.path;
  // One list of header names and values, filled in for each answer: Node reads it in writeHead.
  const answerHeaders = [
    REQUEST_ID_HEADER,
    "",
    "content-type",
    JSON_CONTENT_TYPE,
    ...securityHeaders(deps.https).api.flat(),
    "content-length",
    "",
  ];
  const REQUEST_ID_AT = 1;
  const LENGTH_AT = answerHeaders.length - 1;
  return (request, response) => {
    if (request.method !== "GET" || request.url !== path) return false;
    if (response.socket === null || deps.draining()) return false;
    const { headers } = request;
    if (headers["content-length"] !== undefined || headers["transfer-encoding"] !== undefined) return false;
    const startedAt = performance.now();
    const client = deps.clientAddress(request);
    if (client === undefined) return false;
    const key = deps.keys.authenticateFromMemory(headers.authorization, client);
    if (key === undefined) return false;
    const body = whoamiBody(key);
    const requestId = requestIdOf(request);
    answerHeaders[REQUEST_ID_AT] = requestId;
    answerHeaders[LENGTH_AT] = String(Buffer.byteLength(body));
    response.writeHead(200, answerHeaders);
    response.end(body);
    const elapsedMs = performance.now() - startedAt;
    deps.observe("GET", path, 200, elapsedMs);
    logAnswer(deps.log, { method: "GET", url: path, status: 200, elapsedMs, reqId: requestId });
    return true;
  };
}
