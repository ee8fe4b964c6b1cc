import type { FastifyInstance } from "fastify";
import { currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import { listWorkers } from "./service.ts";

export function registerWorkerRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { workspaceId: string } }>("/api/v1/workspaces/:workspaceId/workers", async (request) => {
    const actor = await currentUser(deps, request);
    return {
      workers: await listWorkers(deps, request.params.workspaceId, actor),
      heartbeatIntervalMs: deps.config.heartbeatIntervalMs,
    };
  });
}
