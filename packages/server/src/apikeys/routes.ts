import { routes } from "@cogno/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { originOf } from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { type ContractRouter, createContractRouter } from "../http/contract-routes.ts";
import { AppError, isAppError } from "../http/errors.ts";
import { FailureLimiter } from "../http/failure-limiter.ts";
import { reportLeakedKeys } from "./leak-reports.ts";
import { isSignedByAny, parseLeakReportKeys, SIGNATURE_HEADER } from "./leak-signature.ts";
import { rollApiKey } from "./roll.ts";
import {
  type ConnectedWorkers,
  createApiKey,
  getApiKey,
  listApiKeys,
  renameApiKey,
  revokeApiKey,
} from "./service.ts";

export function registerApiKeyRoutes(
  router: ContractRouter,
  deps: Deps,
  options: { workers: ConnectedWorkers },
): void {
  router.add(routes.createApiKey, async ({ user, params, body, request, reply }) => {
    // The raw key is in this one response: make sure no cache keeps it.
    void reply.header("cache-control", "no-store");
    return createApiKey(deps, {
      workspaceId: params.workspaceId,
      actor: user,
      origin: originOf(request),
      ...body,
    });
  });

  router.add(routes.listApiKeys, ({ user, params, query }) =>
    listApiKeys(deps, {
      workspaceId: params.workspaceId,
      actor: user,
      includeRevoked: query.state === "all",
      limit: query.limit,
      cursor: query.cursor,
    }),
  );

  router.add(routes.getApiKey, ({ user, params }) =>
    getApiKey(deps, options.workers, { ...params, actor: user }),
  );

  router.add(routes.renameApiKey, ({ user, params, body, request }) =>
    renameApiKey(deps, { ...params, actor: user, origin: originOf(request), name: body.name }),
  );

  router.add(routes.rollApiKey, async ({ user, params, body, request, reply }) => {
    // The new raw key is in this one response: make sure no cache keeps it.
    void reply.header("cache-control", "no-store");
    return rollApiKey(deps, {
      ...params,
      actor: user,
      origin: originOf(request),
      expiresInSeconds: body.expiresInSeconds,
    });
  });

  router.add(routes.revokeApiKey, ({ user, params, request }) =>
    revokeApiKey(deps, options.workers, { ...params, actor: user, origin: originOf(request) }),
  );
}

/** Leaked-key reports one client address may send per minute; every report counts, accepted or not. */
export const LEAK_REPORTS_PER_MINUTE = 60;

/** Largest report: 100 findings with the longest token, URL and source the schema allows. */
const LEAK_REPORT_BODY_LIMIT = 512 * 1024;

/**
 * POST /api/v1/leaked-keys, in a scope of its own: its JSON parser keeps the body's exact bytes,
 * which the signature covers, and its hooks count every report against the client's address and,
 * when public keys are configured, refuse a report they did not sign (401) before it is validated.
 */
export async function registerLeakReportRoute(app: FastifyInstance, deps: Deps): Promise<void> {
  const setting = deps.config.leakReportPublicKeys;
  const publicKeys = setting === undefined ? undefined : parseLeakReportKeys(setting);
  const limiter = new FailureLimiter(LEAK_REPORTS_PER_MINUTE, deps.clock);
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();

  await app.register((scope, _options, done) => {
    scope.addContentTypeParser(
      "application/json",
      { parseAs: "buffer", bodyLimit: LEAK_REPORT_BODY_LIMIT },
      (request, body, done) => {
        const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
        rawBodies.set(request, bytes);
        try {
          // zod then copies only the known fields of each finding into fresh objects.
          done(null, JSON.parse(bytes.toString("utf8")));
        } catch {
          done(new AppError("validation_failed", "The request body is not valid JSON."), undefined);
        }
      },
    );
    scope.addHook("onRequest", async (request) => {
      countLeakReport(limiter, request.ip);
    });
    scope.addHook("preValidation", async (request) => {
      if (publicKeys === undefined) return;
      const signature = request.headers[SIGNATURE_HEADER];
      const body = rawBodies.get(request) ?? Buffer.alloc(0);
      if (!isSignedByAny(publicKeys, body, typeof signature === "string" ? signature : undefined)) {
        throw new AppError(
          "unauthenticated",
          "This report is not signed by a configured secret-scanning key: send the Github-Public-Key-Signature header, signed over the exact body.",
        );
      }
    });
    const router = createContractRouter(scope, {
      // The route needs no session: nothing here ever asks for one.
      sessionUser: () => Promise.reject(new AppError("unauthenticated")),
    });
    router.add(routes.reportLeakedKeys, ({ body, request }) =>
      reportLeakedKeys(deps, body, originOf(request)),
    );
    done();
  });
}

function countLeakReport(limiter: FailureLimiter, client: string): void {
  try {
    limiter.assertAllowed(client);
  } catch (error) {
    if (!isAppError(error) || error.retryAfter === undefined) throw error;
    throw new AppError(
      "rate_limited",
      `Too many leaked-key reports from this address. Try again in ${error.retryAfter} seconds.`,
      { retryAfter: error.retryAfter },
    );
  }
  limiter.recordFailure(client);
}
