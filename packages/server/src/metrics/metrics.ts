/**
 * The server's Prometheus metrics, one registry per app (tests run several apps in one process).
 * prom-client writes the text format; this module only names the instruments. Names follow
 * Prometheus conventions: a `cogno_` prefix, base units (seconds), `_total` on counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets for HTTP answers and announcements, 1 ms to 10 s. */
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route" | "status">;
  /** Bearer authentications by result: `ok`, or the error code that refused the key. */
  keyAuthentications: Counter<"result">;
  /** From a committed key change to every replica having applied it (`change="revoked"`: revocation fan-out). */
  keyChangeFanOut: Histogram<"change">;
  /** From a key change's announcement on one replica to its application on this one. */
  busLag: Histogram;
}

const COUNT_OF_HTTP_DURATION = "cogno_http_request_duration_seconds_count";

function registered<M extends Parameters<Registry["registerMetric"]>[0]>(registry: Registry, metric: M): M {
  registry.registerMetric(metric);
  return metric;
}

export function createMetrics(options: { connectedWorkers: () => number }): Metrics {
  const registry = new Registry();
  // Process metrics, the event-loop lag among them (nodejs_eventloop_lag_seconds and percentiles).
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "cogno_workers_connected",
    help: "Worker sockets open on this server.",
    registers: [registry],
    collect() {
      this.set(options.connectedWorkers());
    },
  });
  const httpDuration = new Histogram<"method" | "route" | "status">({
    name: "cogno_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route and status.",
    labelNames: ["method", "route", "status"],
    buckets: SECONDS_BUCKETS,
    registers: [], // not the global registry: registered below, after the counter
  });
  return {
    registry,
    // Registered first, so the text keeps its order. Its values are the histogram's counts, read
    // when scraped: every request then costs one observation, not an observation and an increment.
    httpRequests: new Counter({
      name: "cogno_http_requests_total",
      help: "HTTP requests answered, by method, route (the pattern, not the URL) and status.",
      labelNames: ["method", "route", "status"],
      registers: [registry],
      async collect() {
        const { values } = await httpDuration.get();
        this.reset();
        for (const { metricName, labels, value } of values) {
          if (metricName === COUNT_OF_HTTP_DURATION) this.inc(labels, value);
        }
      },
    }),
    httpDuration: registered(registry, httpDuration),
    keyAuthentications: new Counter({
      name: "cogno_key_authentications_total",
      help: "Bearer key authentications, by result: ok, or the error code that refused the key.",
      labelNames: ["result"],
      registers: [registry],
    }),
    keyChangeFanOut: new Histogram({
      name: "cogno_key_change_fanout_seconds",
      help: 'Time for a committed key change to be applied by every replica; change="revoked" is revocation fan-out.',
      labelNames: ["change"],
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    }),
    busLag: new Histogram({
      name: "cogno_bus_lag_seconds",
      help: "Time from a key change's announcement on another replica to its application on this one (wall clocks).",
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    }),
  };
}
