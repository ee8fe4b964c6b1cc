import { createInvitationBodySchema, createWorkspaceBodySchema } from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import { currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "../http/validate.ts";
import {
  acceptInvitation,
  createInvitation,
  createWorkspace,
  getMembers,
  getWorkspace,
  removeMember,
} from "./service.ts";

interface WorkspaceParams {
  workspaceId: string;
}

export function registerWorkspaceRoutes(app: FastifyInstance, deps: Deps): void {
  app.post("/api/v1/workspaces", async (request, reply) => {
    const user = await currentUser(deps, request);
    const body = parseOrThrow(createWorkspaceBodySchema, request.body);
    return reply.status(201).send({ workspace: await createWorkspace(deps, user.id, body.name) });
  });

  app.get<{ Params: WorkspaceParams }>("/api/v1/workspaces/:workspaceId", async (request) => {
    const user = await currentUser(deps, request);
    return getWorkspace(deps, request.params.workspaceId, user.id);
  });

  app.get<{ Params: WorkspaceParams }>("/api/v1/workspaces/:workspaceId/members", async (request) => {
    const user = await currentUser(deps, request);
    return { members: await getMembers(deps, request.params.workspaceId, user.id) };
  });

  app.post<{ Params: WorkspaceParams }>(
    "/api/v1/workspaces/:workspaceId/invitations",
    async (request, reply) => {
      const user = await currentUser(deps, request);
      const body = parseOrThrow(createInvitationBodySchema, request.body);
      return reply.status(201).send(await createInvitation(deps, request.params.workspaceId, user, body));
    },
  );

  app.post<{ Params: { token: string } }>("/api/v1/invitations/:token/accept", async (request) => {
    const user = await currentUser(deps, request);
    return acceptInvitation(deps, request.params.token, user.id);
  });

  app.delete<{ Params: WorkspaceParams & { userId: string } }>(
    "/api/v1/workspaces/:workspaceId/members/:userId",
    async (request, reply) => {
      const user = await currentUser(deps, request);
      await removeMember(deps, request.params.workspaceId, user.id, request.params.userId);
      return reply.status(204).send();
    },
  );
}
