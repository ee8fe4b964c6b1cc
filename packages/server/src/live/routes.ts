/**
 * Server-sent events for the web app (API.md: GET /workspaces/:id/events). Each stream listens on
 * the bus, so a change made through any replica reaches every open page.
 */
import type { ApiKey, Role } from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import { currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import type { DomainEvent } from "../events/bus.ts";
import { findWorker } from "../workers/service.ts";
import { canManageAllKeys } from "../workspaces/roles.ts";
import { authorizeMember } from "../workspaces/service.ts";

const KEEPALIVE_MS = 15_000;

export interface LiveStreams {
  /** Ends every open stream, so the server can close promptly. */
  closeAll(): void;
}

export function registerLiveRoutes(app: FastifyInstance, deps: Deps): LiveStreams {
  const open = new Set<() => void>();

  app.get<{ Params: { workspaceId: string } }>(
    "/api/v1/workspaces/:workspaceId/events",
    async (request, reply) => {
      const user = await currentUser(deps, request);
      const { workspaceId } = request.params;
      let role: Role = await authorizeMember(deps, workspaceId, user.id);

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      raw.write(": connected\n\n");

      const write = (event: string, data: unknown): void => {
        raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const visible = (apiKey: ApiKey): boolean => canManageAllKeys(role) || apiKey.owner.id === user.id;

      const onEvent = (event: DomainEvent): void => {
        if (event.workspaceId !== workspaceId) return;
        switch (event.type) {
          case "worker.updated":
            findWorker(deps, event.workerId)
              .then((worker) => {
                if (worker) write("worker.updated", worker);
              })
              .catch((error: unknown) =>
                deps.log.warn({ err: error }, "could not load worker for event stream"),
              );
            break;
          case "api_key.created":
          case "api_key.revoked":
            if (visible(event.apiKey)) write(event.type, event.apiKey);
            break;
          case "member.removed":
            if (event.userId === user.id) end();
            // A role may have changed with the membership list; look it up again.
            else
              authorizeMember(deps, workspaceId, user.id)
                .then((current) => {
                  role = current;
                })
                .catch(() => end());
            break;
          default:
            break;
        }
      };

      const unsubscribe = deps.bus.subscribe(onEvent);
      const keepalive = setInterval(() => raw.write(": keepalive\n\n"), KEEPALIVE_MS);
      keepalive.unref();
      const end = (): void => {
        if (!open.delete(end)) return;
        clearInterval(keepalive);
        unsubscribe();
        raw.end();
      };
      open.add(end);
      request.raw.on("close", end);
    },
  );

  return {
    closeAll() {
      for (const end of [...open]) end();
    },
  };
}
