/**
 * The worker WebSocket gateway (API.md, "Worker side"). Authentication happens before the upgrade;
 * then a worker registers, heartbeats and says when it stops. The gateway listens on the bus:
 * a revoked key closes its sockets with 4001 at once, and a machine that connects again (here or on
 * another replica) replaces its older socket.
 */
import {
  type ApiKeyRef,
  CLOSE_CODES,
  type ErrorCode,
  type RegisterMessage,
  type RevokedReason,
  type ServerMessage,
  workerMessageSchema,
} from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { AuthenticatedKey, KeyAuthenticator } from "../apikeys/authenticator.ts";
import { isoAt } from "../clock.ts";
import type { Deps } from "../deps.ts";
import type { DomainEvent } from "../events/bus.ts";
import { newId } from "../ids.ts";
import { MISSED_HEARTBEATS_FOR_OFFLINE } from "./status.ts";
import {
  type Disconnect,
  findRevokedKeyIds,
  markWorkersDisconnected,
  upsertWorkerOnRegister,
  writeHeartbeats,
} from "./store.ts";

declare module "fastify" {
  interface FastifyRequest {
    workerKey: AuthenticatedKey | null;
  }
}

/** WebSocket's "internal error" close code: the client reconnects with backoff. */
const SERVER_ERROR_CLOSE = 1011;
/** Largest frame a worker may send; its messages are a few hundred bytes. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Messages a worker may send in a burst, and per second after it: several times its heartbeat rate. */
const MESSAGE_BURST = 20;
function messagesPerSecond(heartbeatIntervalMs: number): number {
  return Math.max(5, 3_000 / heartbeatIntervalMs);
}
const REGISTER_TIMEOUT_MS = 10_000;

interface Connection {
  id: string;
  socket: WebSocket;
  workspaceId: string;
  apiKey: ApiKeyRef;
  ownerId: string;
  ip: string;
  workerId: string | undefined;
  lastSeenAt: number;
  heartbeatPending: boolean;
  registering: boolean;
  stopping: boolean;
  closed: boolean;
  openedAt: number;
  budget: number;
  budgetAt: number;
}

export interface WorkerGateway {
  connectionCount(): number;
  /** Closes every socket with 1001 ("reconnect"), writes what is pending, stops timers. */
  shutDown(): Promise<void>;
}

export function registerWorkerGateway(
  app: FastifyInstance,
  deps: Deps,
  options: { keys: KeyAuthenticator },
): WorkerGateway {
  const connections = new Set<Connection>();
  const byKey = new Map<string, Set<Connection>>();
  const byWorker = new Map<string, Set<Connection>>();
  const pendingWrites = new Set<Promise<unknown>>();
  const intervalMs = deps.config.heartbeatIntervalMs;
  const refillPerSecond = messagesPerSecond(intervalMs);

  const track = (work: Promise<unknown>): void => {
    const guarded = work.catch((error: unknown) =>
      deps.log.error({ err: error }, "worker gateway write failed"),
    );
    pendingWrites.add(guarded);
    void guarded.finally(() => pendingWrites.delete(guarded));
  };

  const addTo = (map: Map<string, Set<Connection>>, key: string, connection: Connection): void => {
    const set = map.get(key) ?? new Set<Connection>();
    set.add(connection);
    map.set(key, set);
  };
  const removeFrom = (
    map: Map<string, Set<Connection>>,
    key: string | undefined,
    connection: Connection,
  ): void => {
    if (key === undefined) return;
    const set = map.get(key);
    set?.delete(connection);
    if (set?.size === 0) map.delete(key);
  };

  const send = (connection: Connection, message: ServerMessage): void => {
    if (connection.socket.readyState === connection.socket.OPEN)
      connection.socket.send(JSON.stringify(message));
  };

  const refuse = (connection: Connection, code: ErrorCode, message: string): void => {
    send(connection, { type: "error", error: { code, message } });
    connection.socket.close(CLOSE_CODES.protocolError, code);
  };

  const cutOffRevoked = (
    connection: Connection,
    apiKey: ApiKeyRef,
    reason: RevokedReason = "revoked",
  ): void => {
    send(connection, { type: "revoked", apiKey, reason });
    connection.socket.close(CLOSE_CODES.revoked, "api key revoked");
  };

  const unsubscribeKeyChanges = deps.keyChanges.subscribe((change) => {
    if (change.change !== "revoked") return;
    for (const keyId of change.keyIds) {
      for (const connection of byKey.get(keyId) ?? []) {
        cutOffRevoked(connection, connection.apiKey, change.reason ?? "revoked");
      }
    }
  });

  const onEvent = (event: DomainEvent): void => {
    if (event.type === "worker.connected") {
      for (const connection of byWorker.get(event.workerId) ?? []) {
        if (connection.id !== event.connectionId) {
          refuse(
            connection,
            "conflict",
            "Another cogno daemon on this machine connected with the same machine id and replaced this connection.",
          );
        }
      }
    }
  };
  const unsubscribe = deps.bus.subscribe(onEvent);

  const register = async (connection: Connection, hello: RegisterMessage): Promise<void> => {
    connection.registering = true;
    const at = isoAt(deps.clock);
    const workerId = await upsertWorkerOnRegister(deps.db, {
      newId: newId("wkr"),
      workspaceId: connection.workspaceId,
      ownerId: connection.ownerId,
      apiKeyId: connection.apiKey.id,
      connectionId: connection.id,
      ip: connection.ip,
      at,
      hello,
    });
    if (workerId === undefined) {
      // The key was revoked or expired before the row could be written: nothing was written.
      cutOffRevoked(connection, connection.apiKey);
      return;
    }
    connection.workerId = workerId;
    addTo(byWorker, workerId, connection);
    if (connection.closed) {
      // The socket closed while the row was written: record that, as the close handler could not.
      recordDisconnect(connection, workerId);
      return;
    }
    // A revocation that landed between authentication and now had no socket to close: check once more.
    if ((await findRevokedKeyIds(deps.db, [connection.apiKey.id], isoAt(deps.clock))).length > 0) {
      cutOffRevoked(connection, connection.apiKey);
      return;
    }
    await deps.bus.publish({
      type: "worker.connected",
      workspaceId: connection.workspaceId,
      workerId,
      connectionId: connection.id,
    });
    send(connection, { type: "registered", workerId, heartbeatIntervalMs: intervalMs });
    connection.registering = false;
    deps.log.info(
      { workerId, apiKey: connection.apiKey.prefix, hostname: hello.hostname },
      "worker registered",
    );
    await deps.bus.publish({ type: "worker.updated", workspaceId: connection.workspaceId, workerId });
  };

  const spendBudget = (connection: Connection, now: number): boolean => {
    connection.budget = Math.min(
      MESSAGE_BURST,
      connection.budget + ((now - connection.budgetAt) / 1000) * refillPerSecond,
    );
    connection.budgetAt = now;
    if (connection.budget < 1) return false;
    connection.budget -= 1;
    return true;
  };

  const onMessage = (connection: Connection, data: Buffer, isBinary: boolean): void => {
    const now = deps.clock.now().getTime();
    if (!spendBudget(connection, now)) {
      refuse(connection, "rate_limited", "Too many messages: a worker sends one heartbeat per interval.");
      return;
    }
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(data.toString("utf8"));
    } catch {
      json = undefined;
    }
    const parsed = workerMessageSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      refuse(
        connection,
        "validation_failed",
        `Invalid message. ${where}${issue?.message ?? "send JSON text frames"}.`,
      );
      return;
    }
    const message = parsed.data;
    connection.lastSeenAt = now;
    if (message.type === "register") {
      if (connection.workerId !== undefined || connection.registering) {
        refuse(
          connection,
          "validation_failed",
          "Invalid message. register is sent once, as the first message.",
        );
        return;
      }
      track(
        register(connection, message).catch((error: unknown) => {
          // A server-side failure (the database, say) is not the worker's fault: 1011 makes it retry.
          deps.log.error({ err: error, apiKey: connection.apiKey.prefix }, "worker registration failed");
          connection.socket.close(SERVER_ERROR_CLOSE, "registration failed; reconnect");
        }),
      );
      return;
    }
    if (connection.workerId === undefined && !connection.registering) {
      refuse(connection, "validation_failed", "Invalid message. The first message must be register.");
      return;
    }
    if (message.type === "heartbeat") {
      connection.heartbeatPending = true;
    } else {
      connection.stopping = true;
      connection.socket.close(1000, "stopped");
    }
  };

  // Disconnects are written in batches: a revocation closes many sockets at once, and one
  // transaction for all of them keeps the event loop free (each commit is a synced write on SQLite).
  let pendingDisconnects: { workspaceId: string; disconnect: Disconnect }[] = [];
  const writeDisconnects = async (): Promise<void> => {
    const batch = pendingDisconnects;
    pendingDisconnects = [];
    const changed = new Set(
      await markWorkersDisconnected(
        deps.db,
        batch.map((item) => item.disconnect),
      ),
    );
    for (const { workspaceId, disconnect } of batch) {
      if (changed.has(disconnect.workerId)) {
        await deps.bus.publish({ type: "worker.updated", workspaceId, workerId: disconnect.workerId });
      }
    }
  };
  const recordDisconnect = (connection: Connection, workerId: string): void => {
    if (pendingDisconnects.length === 0) setImmediate(() => track(writeDisconnects()));
    pendingDisconnects.push({
      workspaceId: connection.workspaceId,
      disconnect: {
        workerId,
        connectionId: connection.id,
        at: isoAt(deps.clock),
        stopped: connection.stopping,
      },
    });
  };

  const onClose = (connection: Connection): void => {
    connection.closed = true;
    connections.delete(connection);
    removeFrom(byKey, connection.apiKey.id, connection);
    removeFrom(byWorker, connection.workerId, connection);
    if (connection.workerId !== undefined) recordDisconnect(connection, connection.workerId);
  };

  app.get(
    "/api/v1/worker/connect",
    {
      websocket: true,
      preValidation: async (request) => {
        request.workerKey = await options.keys.authenticate(request.headers.authorization, request.ip);
      },
    },
    (socket, request) => {
      const key = request.workerKey;
      if (!key) {
        socket.close(CLOSE_CODES.protocolError, "unauthenticated");
        return;
      }
      const now = deps.clock.now().getTime();
      const connection: Connection = {
        id: newId("wkr").replace("wkr_", "conn_"),
        socket,
        workspaceId: key.workspace.id,
        apiKey: { id: key.apiKey.id, name: key.apiKey.name, prefix: key.apiKey.prefix },
        ownerId: key.apiKey.owner.id,
        ip: request.ip,
        workerId: undefined,
        lastSeenAt: now,
        heartbeatPending: false,
        registering: false,
        stopping: false,
        closed: false,
        openedAt: now,
        budget: MESSAGE_BURST,
        budgetAt: now,
      };
      connections.add(connection);
      addTo(byKey, connection.apiKey.id, connection);
      socket.on("message", (data: Buffer, isBinary: boolean) => onMessage(connection, data, isBinary));
      socket.on("close", () => onClose(connection));
      socket.on("error", (error) => deps.log.debug({ err: error }, "worker socket error"));
    },
  );

  /** Once per interval: write the heartbeats that arrived, and drop sockets that went silent. */
  const tick = (): void => {
    const now = deps.clock.now().getTime();
    const beats: { workerId: string; connectionId: string; at: string }[] = [];
    for (const connection of connections) {
      if (connection.heartbeatPending && connection.workerId !== undefined) {
        connection.heartbeatPending = false;
        beats.push({
          workerId: connection.workerId,
          connectionId: connection.id,
          at: new Date(connection.lastSeenAt).toISOString(),
        });
      }
      if (
        connection.workerId === undefined &&
        !connection.registering &&
        now - connection.openedAt > REGISTER_TIMEOUT_MS
      ) {
        refuse(connection, "validation_failed", "Invalid message. Send register first.");
      } else if (now - connection.lastSeenAt > MISSED_HEARTBEATS_FOR_OFFLINE * intervalMs) {
        connection.socket.terminate();
      }
    }
    track(writeHeartbeats(deps.db, beats));
    track(cutOffKeysRevokedUnheard());
    // A worker that stays connected is using its key: keep "last used" moving (once a minute per key).
    for (const [keyId, held] of byKey) options.keys.recordUse(keyId, held.values().next().value?.ip ?? null);
  };

  /**
   * The bus delivers revocations at once, but a replica whose LISTEN connection dropped can miss
   * one. Once per interval the keys of this replica's sockets are checked in the database, so a
   * missed notification delays a cut-off by one interval instead of leaving the worker connected.
   */
  const cutOffKeysRevokedUnheard = async (): Promise<void> => {
    if (byKey.size === 0) return;
    for (const keyId of await findRevokedKeyIds(deps.db, [...byKey.keys()], isoAt(deps.clock))) {
      for (const connection of byKey.get(keyId) ?? []) cutOffRevoked(connection, connection.apiKey);
    }
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();

  return {
    connectionCount: () => connections.size,
    async shutDown() {
      clearInterval(timer);
      unsubscribe();
      unsubscribeKeyChanges();
      tick();
      for (const connection of connections)
        connection.socket.close(CLOSE_CODES.goingAway, "server shutting down");
      // Give close handshakes a moment, then make sure nothing lingers.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const connection of connections) connection.socket.terminate();
      while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites]);
    },
  };
}
