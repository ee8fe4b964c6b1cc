import { routes } from "@cogno/protocol";
import { auditActorOf } from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { disconnectWorker, forgetWorker, listWorkers } from "./service.ts";

export function registerWorkerRoutes(router: ContractRouter, deps: Deps): void {
  router.add(routes.listWorkers, ({ user, params, query }) =>
    listWorkers(deps, { workspaceId: params.workspaceId, actor: user, ...query }),
  );

  router.add(routes.disconnectWorker, async ({ user, params, request }) => ({
    worker: await disconnectWorker(deps, { ...params, actor: auditActorOf(request, user) }),
  }));

  router.add(routes.forgetWorker, async ({ user, params, request }) => {
    await forgetWorker(deps, { ...params, actor: auditActorOf(request, user) });
    return undefined;
  });
}
