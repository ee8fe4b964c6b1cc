/** Builds the HTTP application from its dependencies: plugins, hooks, and each domain's routes. */
import { routes } from "@cogno/protocol";
import fastifyCookie from "@fastify/cookie";
import fastifyWebsocket from "@fastify/websocket";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { KeyAuthenticator } from "./apikeys/authenticator.ts";
import { startExpirySweep } from "./apikeys/expiry.ts";
import { registerApiKeyRoutes, registerLeakReportRoute } from "./apikeys/routes.ts";
import { registerWhoamiRoute, whoamiLane } from "./apikeys/whoami.ts";
import { registerAuditRoutes } from "./audit/routes.ts";
import { registerAuthRoutes } from "./auth/routes.ts";
import { currentUser } from "./auth/session.ts";
import { createDatabaseHealth } from "./db/health.ts";
import type { Deps } from "./deps.ts";
import { registerDeviceRoutes } from "./device/routes.ts";
import { clientAddressOf, type TrustedProxies } from "./http/client-address.ts";
import {
  closeWithin,
  connectionOptions,
  registerDrainRefusal,
  registerPipeliningLimit,
} from "./http/connections.ts";
import { createContractRouter } from "./http/contract-routes.ts";
import { checkSameOrigin } from "./http/cross-origin.ts";
import { answerFrameworkError, registerErrorHandling } from "./http/error-handler.ts";
import { createFastLanes } from "./http/fast-lane.ts";
import { addRequestIdsToUpgrades, registerRequestIds, requestIdOf } from "./http/request-id.ts";
import { registerSecurityHeaders } from "./http/security-headers.ts";
import { rejectNulCharacters } from "./http/validate.ts";
import { registerWebApp } from "./http/web-app.ts";
import { registerLiveRoutes } from "./live/routes.ts";
import { logAnswer, requestLogger } from "./logging/logger.ts";
import {
  countKeyAuthentications,
  httpObserver,
  measureBusLag,
  measureHttp,
  timeKeyChanges,
} from "./metrics/instruments.ts";
import { createMetrics, type Metrics } from "./metrics/metrics.ts";
import { registerMetricsRoute } from "./metrics/routes.ts";
import { registerOperationsRoutes } from "./operations/routes.ts";
import { MAX_FRAME_BYTES, registerWorkerGateway, type WorkerGateway } from "./workers/gateway.ts";
import { startWorkerRetention } from "./workers/retention.ts";
import { registerWorkerRoutes } from "./workers/routes.ts";
import { createConnectedWorkers } from "./workers/service.ts";
import { registerWorkspaceRoutes } from "./workspaces/routes.ts";

export interface App {
  http: FastifyInstance;
  gateway: WorkerGateway;
  /**
   * Every route the server registered (but the web app's files, which Fastify is told to hide),
   * so a test can hold them against the contract's route table and the OpenAPI document.
   */
  registeredRoutes: readonly RegisteredRoute[];
  /** This app's instruments (its registry is what /metrics serves). */
  metrics: Metrics;
  /**
   * Stops taking work: workers are told to reconnect elsewhere, streams end, then the server closes.
   * Takes at most SHUTDOWN_MS, whatever clients do.
   */
  shutDown(): Promise<void>;
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

/** The longest a drain takes: what a process manager waits for between SIGTERM and SIGKILL is often 10 s. */
export const SHUTDOWN_MS = 4_000;
/** Of which the worker sockets may take this long to be told and closed. */
const WORKER_SHUTDOWN_MS = 1_000;

export async function createApp(appDeps: Deps): Promise<App> {
  let gateway: WorkerGateway | undefined;
  const metrics = createMetrics({ connectedWorkers: () => gateway?.connectionCount() ?? 0 });
  const deps: Deps = { ...appDeps, keyChanges: timeKeyChanges(appDeps.keyChanges, metrics) };
  const stopMeasuringBusLag = measureBusLag(deps.keyChanges, metrics);
  const trustProxy = trustedProxies(deps.config.trustProxy);
  const https = deps.config.publicUrl?.protocol === "https:";
  const fastLanes = createFastLanes();
  const http: FastifyInstance = Fastify({
    serverFactory: fastLanes.serverFactory,
    loggerInstance: deps.log as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger, bindings, options) =>
      requestLogger(logger as Logger, bindings, options) as FastifyBaseLogger,
    trustProxy,
    // The id is chosen by genReqId (a sane incoming x-request-id, or a new one), never taken as sent.
    requestIdHeader: false,
    genReqId: requestIdOf,
    bodyLimit: 64 * 1024,
    // Requests arriving while the server drains are refused by registerDrainRefusal instead.
    return503OnClosing: false,
    ...connectionOptions,
    frameworkErrors: answerFrameworkError,
  });

  const registeredRoutes: RegisteredRoute[] = [];
  http.addHook("onRoute", (route) => {
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    for (const method of [route.method].flat()) registeredRoutes.push({ method, url: route.url });
  });

  registerRequestIds(http);
  const drain = registerDrainRefusal(http);
  await http.register(fastifyCookie);
  await http.register(fastifyWebsocket, {
    options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
  });
  addRequestIdsToUpgrades(http.websocketServer);
  const health = createDatabaseHealth(deps);
  health.start();
  registerErrorHandling(http, { onDatabaseFault: health.reportFault });
  registerPipeliningLimit(http);
  registerSecurityHeaders(http, https);

  // Every state-changing request, whatever its path: the router decodes "/%61pi/…" to "/api/…",
  // so a test on the raw URL could be stepped around.
  // Callback hooks, not async ones: these run on every request, and a promise and a turn of the
  // microtask queue apiece were a measurable share of a bearer request's cost. A throw inside
  // one is answered by Fastify's error handler, as a rejection was.
  http.addHook("onRequest", (request, _reply, done) => {
    checkSameOrigin(request, deps.config.publicUrl);
    done();
  });
  http.addHook("preValidation", (request, _reply, done) => {
    rejectNulCharacters(request);
    done();
  });
  const observeHttp = httpObserver(metrics);
  measureHttp(http, observeHttp);
  http.addHook("onResponse", (request, reply, done) => {
    logAnswer(request.log as Logger, {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      elapsedMs: reply.elapsedTime,
    });
    done();
  });

  const keys = new KeyAuthenticator({
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    keyChanges: deps.keyChanges,
    failuresPerMinute: deps.config.authFailuresPerMinute,
  });
  countKeyAuthentications(keys, metrics);
  const router = createContractRouter(http, { sessionUser: (request) => currentUser(deps, request) });
  router.add(routes.serverInfo, async () => ({
    version: deps.config.version,
    heartbeatIntervalMs: deps.config.heartbeatIntervalMs,
    workerRetentionDays: deps.config.workerRetentionDays,
  }));
  registerOperationsRoutes(router, deps, { health });
  registerMetricsRoute(router, deps, metrics);
  const connectedWorkers = createConnectedWorkers(deps);
  registerAuthRoutes(router, deps);
  registerWorkspaceRoutes(router, deps);
  registerApiKeyRoutes(router, deps, { workers: connectedWorkers });
  registerWhoamiRoute(router, keys);
  fastLanes.add(
    whoamiLane({
      keys,
      clientAddress: clientAddressOf(trustProxy),
      draining: drain.draining,
      https,
      observe: observeHttp,
      log: deps.log,
    }),
  );
  await registerLeakReportRoute(http, deps);
  registerWorkerRoutes(router, deps);
  registerAuditRoutes(router, deps);
  registerDeviceRoutes(router, deps);
  gateway = registerWorkerGateway(http, deps, { keys });
  const live = registerLiveRoutes(router, deps);
  await registerWebApp(http, deps.config.webDir);
  const expirySweep = startExpirySweep(deps);
  const retention = startWorkerRetention(deps);

  const workers = gateway;
  return {
    http,
    gateway: workers,
    registeredRoutes,
    metrics,
    async shutDown() {
      const startedAt = Date.now();
      health.stop();
      await expirySweep.stop();
      await retention.stop();
      live.closeAll();
      stopMeasuringBusLag();
      await settleWithin(workers.shutDown(), WORKER_SHUTDOWN_MS);
      drain.start();
      await closeWithin(http, Math.max(0, SHUTDOWN_MS - (Date.now() - startedAt)));
    },
  };
}

/** Waits for `work` at most `ms`; past that it may go on in the background, and a late failure is ignored. */
async function settleWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** A hop count becomes the same rule as a function: trust the nearest `hops` proxies. */
function trustedProxies(setting: false | number | string[]): TrustedProxies {
  return typeof setting === "number" ? (_address, hop) => hop < setting : setting;
}
