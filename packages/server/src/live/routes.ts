/**
 * Server-sent events for the web app (API.md: GET /workspaces/:id/events). This module owns one
 * stream: who opened it, what they may see, and when it must end. The hub (hub.ts) listens on the
 * bus for all of them, so a change made through any replica reaches every open page.
 */
import { type ApiKey, type Role, routes } from "@cogno/protocol";
import { findApiKeysByIds } from "../apikeys/store.ts";
import { currentSession, currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { findWorker } from "../workers/service.ts";
import { canManageAllKeys } from "../workspaces/roles.ts";
import { authorizeMember } from "../workspaces/service.ts";
import { createLiveHub, type LiveHub, type LiveStream, type LiveUpdate } from "./hub.ts";

/** At most this long between keep-alive comments, each of which also re-checks the session. */
const KEEPALIVE_MAX_MS = 15_000;

export type LiveStreams = Pick<LiveHub, "closeAll">;

export function registerLiveRoutes(router: ContractRouter, deps: Deps): LiveStreams {
  const hub = createLiveHub({
    bus: deps.bus,
    log: deps.log,
    loadWorker: (workerId) => findWorker(deps, workerId),
    loadApiKey: async (keyId) =>
      (await findApiKeysByIds(deps.db, [keyId], deps.clock.now().toISOString()))[0],
  });

  router.add(routes.workspaceEvents, async ({ params, request, reply }) => {
    // The stream is tied to the session itself (a sign-out ends it), so it needs the session's id.
    const { id: sessionId, user } = await currentSession(deps, request);
    const { workspaceId } = params;
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
      if (!raw.writableEnded && !raw.destroyed)
        raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const visible = (apiKey: ApiKey): boolean => canManageAllKeys(role) || apiKey.owner.id === user.id;

    let ended = false;
    let remove: (() => void) | undefined;
    // A stream is allowed only as long as what opened it. A sign-out ends it at once on every
    // replica (session.ended); a session that expired, or news this replica missed, ends it at the
    // next keep-alive check.
    const keepalive = setInterval(
      () => {
        raw.write(": keepalive\n\n");
        stream.recheckAccess();
      },
      Math.min(KEEPALIVE_MAX_MS, deps.config.heartbeatIntervalMs),
    );
    keepalive.unref();
    const stream: LiveStream = {
      workspaceId,
      userId: user.id,
      sessionId,
      deliver(update: LiveUpdate) {
        if (ended) return;
        if (update.type === "worker.updated") write(update.type, update.worker);
        else if (visible(update.apiKey)) write(update.type, update.apiKey);
      },
      recheckAccess() {
        currentUser(deps, request)
          .then(() => authorizeMember(deps, workspaceId, user.id))
          .then((current) => {
            role = current;
          })
          .catch(() => stream.end());
      },
      end() {
        if (ended) return;
        ended = true;
        clearInterval(keepalive);
        remove?.();
        raw.end();
      },
    };

    remove = hub.add(stream);
    request.raw.on("close", () => stream.end());
    return reply;
  });

  return hub;
}
