import { routes } from "@cogno/protocol";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import {
  acceptInvitation,
  createInvitation,
  createWorkspace,
  getMembers,
  getWorkspace,
  removeMember,
} from "./service.ts";

export function registerWorkspaceRoutes(router: ContractRouter, deps: Deps): void {
  router.add(routes.createWorkspace, async ({ user, body }) => ({
    workspace: await createWorkspace(deps, user.id, body.name),
  }));

  router.add(routes.getWorkspace, ({ user, params }) => getWorkspace(deps, params.workspaceId, user.id));

  router.add(routes.listMembers, async ({ user, params }) => ({
    members: await getMembers(deps, params.workspaceId, user.id),
  }));

  router.add(routes.createInvitation, ({ user, params, body }) =>
    createInvitation(deps, params.workspaceId, user, body),
  );

  router.add(routes.acceptInvitation, ({ user, params }) => acceptInvitation(deps, params.token, user.id));

  router.add(routes.removeMember, async ({ user, params }) => {
    await removeMember(deps, params.workspaceId, user.id, params.userId);
    return undefined;
  });
}
