/**
 * What an operator's tooling calls: liveness, readiness, and the OpenAPI document of the contract.
 * (Metrics live in ../metrics/.)
 */
import { openApiDocument, routes } from "@cogno/protocol";
import { SESSION_COOKIE } from "../auth/session.ts";
import type { DatabaseHealth } from "../db/health.ts";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { answerDatabaseFault } from "../http/error-handler.ts";

export function registerOperationsRoutes(
  router: ContractRouter,
  deps: Deps,
  options: { health: Pick<DatabaseHealth, "checkReady"> },
): void {
  router.add(routes.healthz, async () => ({ ok: true }) as const);

  router.add(routes.readyz, async ({ reply }) => {
    const readiness = await options.health.checkReady();
    if (readiness.ready) return { ok: true } as const;
    return answerDatabaseFault(reply, readiness.fault, `Not ready: ${readiness.reason}.`);
  });

  // Made once: the table and the version do not change while the process runs.
  const document = JSON.stringify(
    openApiDocument(routes, { title: "Cogno", version: deps.config.version, sessionCookie: SESSION_COOKIE }),
  );
  router.add(routes.openapi, async ({ reply }) =>
    reply.type("application/json; charset=utf-8").send(document),
  );
}
