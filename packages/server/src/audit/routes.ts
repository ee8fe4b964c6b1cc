import { Readable } from "node:stream";
import { type AuditEntry, routes } from "@cogno/protocol";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { exportAuditLog, listAuditLog } from "./service.ts";

/** The audit log has one route, and it only reads: entries are append-only (API.md v1.1). */
export function registerAuditRoutes(router: ContractRouter, deps: Deps): void {
  router.add(routes.auditLog, async ({ user, params, query, reply }) => {
    const request = {
      workspaceId: params.workspaceId,
      actor: user,
      action: query.action,
      actorFilter: query.actor,
    };
    if (query.format === "json") {
      return listAuditLog(deps, { ...request, before: query.before, limit: query.limit });
    }
    const entries = await exportAuditLog(deps, request);
    // Pulled batch by batch as the client reads: the export never holds the whole log in memory.
    const body = Readable.from(toJsonLines(entries), { objectMode: false });
    body.on("error", (error) => deps.log.error({ err: error }, "audit log export failed"));
    return reply
      .type("application/x-ndjson; charset=utf-8")
      .header("cache-control", "no-store")
      .header("content-disposition", `attachment; filename="audit-log-${params.workspaceId}.ndjson"`)
      .send(body);
  });
}

async function* toJsonLines(entries: AsyncIterable<AuditEntry>): AsyncGenerator<string> {
  for await (const entry of entries) yield `${JSON.stringify(entry)}\n`;
}
