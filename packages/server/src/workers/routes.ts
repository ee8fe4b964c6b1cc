import { pageQuerySchema } from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import { currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "../http/validate.ts";
import { listWorkers } from "./service.ts";

export function registerWorkerRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { workspaceId: string } }>("/api/v1/workspaces/:workspaceId/workers", async (request) => {
    const actor = await currentUser(deps, request);
    const { limit, cursor } = parseOrThrow(pageQuerySchema, request.query, "query");
    return listWorkers(deps, { workspaceId: request.params.workspaceId, actor, limit, cursor });
  });
}
