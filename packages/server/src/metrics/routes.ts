/**
 * GET /metrics (API.md "Operations, v1.1"): Prometheus text when COGNO_METRICS_TOKEN is set and sent
 * as a Bearer token; 401 unauthenticated without it or with another; 404 when the setting is unset,
 * so a server that does not publish metrics does not show it has them.
 */
import { routes } from "@cogno/protocol";
import { equalInConstantTime } from "../crypto.ts";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { AppError } from "../http/errors.ts";
import type { Metrics } from "./metrics.ts";

const BEARER = /^Bearer +(\S+)$/i;

export function registerMetricsRoute(router: ContractRouter, deps: Deps, metrics: Metrics): void {
  const token = deps.config.metricsToken;
  router.add(routes.metrics, async ({ request, reply }) => {
    if (token === undefined) throw new AppError("not_found", "No route GET /metrics.");
    const sent = request.headers.authorization?.match(BEARER)?.[1];
    if (sent === undefined || !equalInConstantTime(sent, token)) {
      throw new AppError(
        "unauthenticated",
        "Send the COGNO_METRICS_TOKEN setting as a Bearer token to read the metrics.",
      );
    }
    const text = await metrics.registry.metrics();
    return reply.header("cache-control", "no-store").type(metrics.registry.contentType).send(text);
  });
}
