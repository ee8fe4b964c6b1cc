/**
 * Server-sent events for the web app (API.md: GET /workspaces/:id/events). Each stream listens on
 * the bus, so a change made through any replica reaches every open page.
 */
import type { ApiKey, Role } from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import { findApiKeysByIds } from "../apikeys/store.ts";
import { currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import type { DomainEvent } from "../events/bus.ts";
import { findWorker } from "../workers/service.ts";
import { canManageAllKeys } from "../workspaces/roles.ts";
import { authorizeMember } from "../workspaces/service.ts";

/** At most this long between keep-alive comments, each of which also re-checks the session. */
const KEEPALIVE_MAX_MS = 15_000;

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

      // Events are loaded asynchronously: one may arrive after the stream ended (a removed member).
      const write = (event: string, data: unknown): void => {
        if (!raw.writableEnded && !raw.destroyed)
          raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const visible = (apiKey: ApiKey): boolean => canManageAllKeys(role) || apiKey.owner.id === user.id;

      const refreshAccess = (): void => {
        currentUser(deps, request)
          .then(() => authorizeMember(deps, workspaceId, user.id))
          .then((current) => {
            role = current;
          })
          .catch(() => end());
      };

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
          case "api_key.updated":
          case "api_key.revoked":
            findApiKeysByIds(deps.db, [event.keyId], deps.clock.now().toISOString())
              .then(([apiKey]) => {
                if (apiKey && visible(apiKey)) write(event.type, apiKey);
              })
              .catch((error: unknown) =>
                deps.log.warn({ err: error }, "could not load key for event stream"),
              );
            break;
          case "member.removed":
            // Removed: the stream ends now. Anyone else: roles may have changed with the list.
            if (event.userId === user.id) end();
            else refreshAccess();
            break;
          default:
            break;
        }
      };

      const unsubscribe = deps.bus.subscribe(onEvent);
      // A stream is allowed only as long as what opened it: a session that ended (sign-out, expiry)
      // or a membership that is gone closes it at the next keep-alive, on whichever replica it is.
      const keepalive = setInterval(
        () => {
          raw.write(": keepalive\n\n");
          refreshAccess();
        },
        Math.min(KEEPALIVE_MAX_MS, deps.config.heartbeatIntervalMs),
      );
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
