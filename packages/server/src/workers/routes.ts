import { routes } from "@cogno/protocol";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { listWorkers } from "./service.ts";

export function registerWorkerRoutes(router: ContractRouter, deps: Deps): void {
  router.add(routes.listWorkers, ({ user, params, query }) =>
    listWorkers(deps, { workspaceId: params.workspaceId, actor: user, ...query }),
  );
}
