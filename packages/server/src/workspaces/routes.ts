import { routes } from "@cogno/protocol";
import { auditActorOf } from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from "./invitation-service.ts";
import { changeMemberRole, getMembers, removeMember } from "./member-service.ts";
import { createWorkspace, getWorkspace } from "./service.ts";

export function registerWorkspaceRoutes(router: ContractRouter, deps: Deps): void {
  router.add(routes.createWorkspace, async ({ user, body }) => ({
    workspace: await createWorkspace(deps, user.id, body.name),
  }));

  router.add(routes.getWorkspace, ({ user, params }) => getWorkspace(deps, params.workspaceId, user.id));

  router.add(routes.listMembers, ({ user, params, query, request }) =>
    getMembers(deps, { workspaceId: params.workspaceId, actor: auditActorOf(request, user), ...query }),
  );

  router.add(routes.changeMemberRole, async ({ user, params, body, request }) => ({
    member: await changeMemberRole(deps, {
      workspaceId: params.workspaceId,
      actor: auditActorOf(request, user),
      targetId: params.userId,
      role: body.role,
    }),
  }));

  router.add(routes.removeMember, async ({ user, params, request }) => {
    await removeMember(deps, {
      workspaceId: params.workspaceId,
      actor: auditActorOf(request, user),
      targetId: params.userId,
    });
    return undefined;
  });

  router.add(routes.createInvitation, ({ user, params, body, request }) =>
    createInvitation(deps, params.workspaceId, auditActorOf(request, user), body),
  );

  router.add(routes.listInvitations, ({ user, params, query, request }) =>
    listInvitations(deps, { workspaceId: params.workspaceId, actor: auditActorOf(request, user), ...query }),
  );

  router.add(routes.revokeInvitation, async ({ user, params, request }) => {
    await revokeInvitation(deps, {
      workspaceId: params.workspaceId,
      actor: auditActorOf(request, user),
      invitationId: params.invitationId,
    });
    return undefined;
  });

  router.add(routes.previewInvitation, async ({ params, reply }) => {
    // The answer is derived from a secret in the URL: no shared cache may keep it.
    void reply.header("cache-control", "no-store");
    return previewInvitation(deps, params.token);
  });

  router.add(routes.acceptInvitation, ({ user, params, request }) =>
    acceptInvitation(deps, params.token, auditActorOf(request, user)),
  );
}
