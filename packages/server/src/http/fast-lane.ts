/**
 * Fast lanes: answers given as Node's HTTP server hands over a request, before Fastify builds a
 * request and a reply for it and runs its hooks. A lane exists for one request a fleet sends far
 * more than any other (a worker's whoami with a key verified earlier: apikeys/whoami.ts) and
 * answers only the exact case it was made for; it declines everything else by returning false
 * having touched nothing, and Fastify then handles the request in full. Fastify's `inject` calls
 * Fastify's handler directly, so in-process tests reach the routes, and tests over a socket the lanes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { FastifyServerFactory } from "fastify";

/** Answers the request and returns true, or returns false having written nothing. */
export type FastLane = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface FastLanes {
  /** For Fastify's `serverFactory` option: the HTTP server Fastify would make, with the lanes in front. */
  serverFactory: FastifyServerFactory<Server>;
  /** Adds a lane: lanes are asked in the order they were added. */
  add(lane: FastLane): void;
}

export function createFastLanes(): FastLanes {
  const lanes: FastLane[] = [];
  return {
    serverFactory(fastify, options) {
      const server = createServer(
        (options.http ?? {}) as Parameters<typeof createServer>[0],
        (request, response) => {
          for (let i = 0; i < lanes.length; i++) if (lanes[i]?.(request, response)) return;
          fastify(request, response);
        },
      );
      // What Fastify does to the server it makes itself (fastify/lib/server.js): the same limits hold.
      if (typeof options.keepAliveTimeout === "number") server.keepAliveTimeout = options.keepAliveTimeout;
      if (typeof options.requestTimeout === "number") server.requestTimeout = options.requestTimeout;
      if (typeof options.connectionTimeout === "number") server.setTimeout(options.connectionTimeout);
      if (typeof options.maxRequestsPerSocket === "number" && options.maxRequestsPerSocket > 0)
        server.maxRequestsPerSocket = options.maxRequestsPerSocket;
      return server;
    },
    add(lane) {
      lanes.push(lane);
    },
  };
}
