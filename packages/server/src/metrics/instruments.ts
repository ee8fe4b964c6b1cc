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

export function measureHttp(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onResponse", async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED,
      status: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

/** Counts every bearer authentication by its result. */
export function countKeyAuthentications(keys: KeyAuthenticator, metrics: Metrics): void {
  const authenticate = keys.authenticate.bind(keys);
  keys.authenticate = async (authorization, client) => {
    try {
      const key = await authenticate(authorization, client);
      metrics.keyAuthentications.inc({ result: "ok" });
      return key;
    } catch (error) {
      metrics.keyAuthentications.inc({ result: isAppError(error) ? error.code : "error" });
      throw error;
    }
  };
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
