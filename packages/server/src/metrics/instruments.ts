/**
 * Where the metrics are taken: an HTTP hook, and decorators around the key authenticator and the
 * key-change feed, so those modules keep no knowledge of metrics.
 */
import type { FastifyInstance } from "fastify";
import type { KeyAuthenticator } from "../apikeys/authenticator.ts";
import type { KeyChangeFeed } from "../events/key-changes.ts";
import { isAppError } from "../http/errors.ts";
import type { Metrics } from "./metrics.ts";

/** Route patterns only, never raw URLs: a URL holds ids (and could hold secrets) and is unbounded. */
const UNMATCHED = "(unmatched)";

type HttpLabels = { method: string; route: string; status: string };

/**
 * Records one answered request: one histogram observation (the request counter is read from its
 * counts when scraped), with the label set made once per route, status and method. This runs on
 * every request, and a promise, two label hashes and a new label object each were a measurable
 * share of a bearer request's cost. For answers Fastify did not send (fast lanes), and measureHttp.
 */
export type HttpObserver = (method: string, route: string, statusCode: number, elapsedMs: number) => void;

export function httpObserver(metrics: Metrics): HttpObserver {
  // route → status → method → labels; each key is a string or number the request already holds.
  const labelSets = new Map<string, Map<number, Map<string, HttpLabels>>>();
  const labelsOf = (method: string, route: string, statusCode: number): HttpLabels => {
    let byStatus = labelSets.get(route);
    if (!byStatus) {
      byStatus = new Map();
      labelSets.set(route, byStatus);
    }
    let byMethod = byStatus.get(statusCode);
    if (!byMethod) {
      byMethod = new Map();
      byStatus.set(statusCode, byMethod);
    }
    let labels = byMethod.get(method);
    if (!labels) {
      labels = { method, route, status: String(statusCode) };
      byMethod.set(method, labels);
    }
    return labels;
  };
  return (method, route, statusCode, elapsedMs) =>
    metrics.httpDuration.observe(labelsOf(method, route, statusCode), elapsedMs / 1000);
}

/** Records every answer Fastify sends. */
export function measureHttp(app: FastifyInstance, observe: HttpObserver): void {
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.is404 ? UNMATCHED : (request.routeOptions.url ?? UNMATCHED);
    observe(request.method, route, reply.statusCode, reply.elapsedTime);
    done();
  });
}

const AUTHENTICATED = { result: "ok" };

/**
 * Counts every bearer authentication by its result. Chained on the authentication's own promise,
 * with the success labels made once: this runs on every bearer request.
 */
export function countKeyAuthentications(keys: KeyAuthenticator, metrics: Metrics): void {
  const fromMemory = keys.authenticateFromMemory.bind(keys);
  keys.authenticateFromMemory = (authorization, client) => {
    const key = fromMemory(authorization, client);
    // Undefined is no answer yet: `authenticate` then decides, and is counted.
    if (key !== undefined) metrics.keyAuthentications.inc(AUTHENTICATED);
    return key;
  };
  const authenticate = keys.authenticate.bind(keys);
  keys.authenticate = (authorization, client) =>
    authenticate(authorization, client).then(
      (key) => {
        metrics.keyAuthentications.inc(AUTHENTICATED);
        return key;
      },
      (error: unknown) => {
        metrics.keyAuthentications.inc({ result: isAppError(error) ? error.code : "error" });
        throw error;
      },
    );
}

/** The same feed, with each announcement (the wait for every replica) timed. */
export function timeKeyChanges(feed: KeyChangeFeed, metrics: Metrics): KeyChangeFeed {
  return {
    async announce(change) {
      const stop = metrics.keyChangeFanOut.startTimer({ change: change.change });
      try {
        await feed.announce(change);
      } finally {
        stop();
      }
    },
    subscribe: (listener) => feed.subscribe(listener),
    observe: (observer) => feed.observe(observer),
    memoryTrusted: () => feed.memoryTrusted(),
    close: () => feed.close(),
  };
}

/**
 * Bus lag across replicas: from a replica's announcement of a key change to its application on
 * this one (by wall clocks, so it includes the machines' clock skew). Returns the unsubscribe.
 */
export function measureBusLag(feed: KeyChangeFeed, metrics: Metrics): () => void {
  return feed.observe((observation) => {
    // Clocks of two machines: a skew can make the lag look negative; it is at least zero.
    if (observation.kind === "applied") metrics.busLag.observe(Math.max(0, observation.lagMs) / 1000);
  });
}
