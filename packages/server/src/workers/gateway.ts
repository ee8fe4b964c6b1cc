/**
 * The worker WebSocket gateway (API.md, "Worker side"). Authentication and the per-key connection
 * cap happen before the upgrade; then a worker registers, heartbeats and says when it stops.
 *
 * Revocation is absolute (SPEC.md v1.1): the gateway listens to the key-change feed, which calls it
 * synchronously on every replica before a revocation answers. A revoked key's connections move to
 * the `revoked` state at once (nothing they send is acted on again), are told why, and their
 * sockets are destroyed shortly after whatever the client does. A key that expires, or whose roll
 * grace ends, is cut off by a timer of its own, on time.
 *
 * The parts: protocol.ts (frames in and out), connection.ts (one socket's life), connection-
 * registry.ts (indexes), message-budget.ts (a worker's message rate), per-key-limits.ts (caps),
 * key-expiry-timers.ts, presence-writes.ts (batched, guarded writes).
 */
import {
  type ApiKey,
  type ApiKeyRef,
  CLOSE_CODES,
  type RegisterMessage,
  type RevokedReason,
} from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { AuthenticatedKey, KeyAuthenticator } from "../apikeys/authenticator.ts";
import { findApiKeysByIds } from "../apikeys/store.ts";
import { isoAt } from "../clock.ts";
import type { Deps } from "../deps.ts";
import type { DomainEvent } from "../events/bus.ts";
import type { KeyChange } from "../events/key-changes.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { type Connection, closeAndDestroy, cutOffAll, isActing, refuse, send } from "./connection.ts";
import { ConnectionRegistry } from "./connection-registry.ts";
import { KeyExpiryTimers } from "./key-expiry-timers.ts";
import { type BucketRule, TokenBucket } from "./message-budget.ts";
import { PerKeyLimits } from "./per-key-limits.ts";
import { PresenceWrites } from "./presence-writes.ts";
import { parseWorkerFrame } from "./protocol.ts";
import { MISSED_HEARTBEATS_FOR_OFFLINE } from "./status.ts";
import { findRevokedKeyIds, workerExists } from "./store.ts";

declare module "fastify" {
  interface FastifyRequest {
    workerKey: AuthenticatedKey | null;
    /** Stops counting this upgrade toward its key's cap (it connected, or it failed). */
    releaseUpgrade: (() => void) | undefined;
  }
}

/** WebSocket's "internal error" close code: the client reconnects with backoff. */
const SERVER_ERROR_CLOSE = 1011;
/** RFC 6455 "Try Again Later": a per-key limit; the daemon reconnects with backoff. */
const TRY_AGAIN_LATER_CLOSE = 1013;
/** Largest frame a worker may send; its messages are a few hundred bytes. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Messages a worker may send in a burst; per second after it, several times its heartbeat rate. */
const MESSAGE_BURST = 20;
const REGISTER_TIMEOUT_MS = 10_000;
export interface WorkerGateway {
  /** Sockets this replica holds now (for metrics): cheap, no I/O. */
  connectionCount(): number;
  /** Closes every socket with 1001 ("reconnect"), writes what is pending, stops timers. */
  shutDown(): Promise<void>;
}

export function registerWorkerGateway(
  app: FastifyInstance,
  deps: Deps,
  options: { keys: KeyAuthenticator },
): WorkerGateway {
  const { config } = deps;
  const intervalMs = config.heartbeatIntervalMs;
  const messageRule: BucketRule = { burst: MESSAGE_BURST, perSecond: Math.max(5, 3_000 / intervalMs) };
  const now = (): number => deps.clock.now().getTime();
  const registry = new ConnectionRegistry();
  const writes = new PresenceWrites(deps.db);
  const limits = new PerKeyLimits(
    { maxConnections: config.maxConnectionsPerKey, newWorkersPerMinute: config.newWorkersPerKeyPerMinute },
    now,
  );
  const pending = new Set<Promise<unknown>>();

  const track = (work: Promise<unknown>): void => {
    const guarded = work.catch((error: unknown) =>
      deps.log.error({ err: error }, "worker gateway write failed"),
    );
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };

  const cutOffKey = (keyId: string, reason: RevokedReason): void => {
    expiryTimers.clear(keyId);
    cutOffAll([...registry.ofKey(keyId)], reason);
  };
  const protocolError = (connection: Connection, message: string): void =>
    refuse(connection, "validation_failed", message, CLOSE_CODES.protocolError);

  /**
   * Reads keys held here again and acts on what they are now: cut off a key that is revoked or
   * expired (with its reason), else rename its connections' copy and re-arm its expiry timer.
   */
  const recheckKeys = async (keyIds: string[]): Promise<void> => {
    const held = keyIds.filter((keyId) => registry.countOfKey(keyId) > 0);
    if (held.length === 0) return;
    const at = isoAt(deps.clock);
    const found = new Map((await findApiKeysByIds(deps.db, held, at)).map((key) => [key.id, key]));
    for (const keyId of held) {
      const key = found.get(keyId);
      if (key === undefined) {
        cutOffKey(keyId, "revoked");
      } else if (key.revokedAt !== null) {
        cutOffKey(keyId, key.revokedReason ?? "revoked");
      } else {
        const ref: ApiKeyRef = { id: key.id, name: key.name, prefix: key.prefix };
        for (const connection of registry.ofKey(keyId)) connection.apiKey = ref;
        expiryTimers.set(keyId, key.expiresAt);
      }
    }
  };

  const expiryTimers = new KeyExpiryTimers(now, (keyId) =>
    track(
      recheckKeys([keyId]).catch((error: unknown) => {
        // The key's own expiry has passed: it is refused whatever the database says now.
        deps.log.warn({ err: error, keyId }, "could not read an expiring key; cutting it off");
        cutOffKey(keyId, "expired");
      }),
    ),
  );

  const onKeyChange = (change: KeyChange): void => {
    if (change.change === "revoked") {
      for (const keyId of change.keyIds) cutOffKey(keyId, change.reason ?? "revoked");
    } else {
      // Renamed, or rolled (a new expiry): read what it is now.
      track(recheckKeys(change.keyIds));
    }
  };
  const unsubscribeKeyChanges = deps.keyChanges.subscribe(onKeyChange);

  const onEvent = (event: DomainEvent): void => {
    if (event.type === "worker.connected") {
      for (const connection of [...registry.ofWorker(event.workerId)]) {
        if (connection.id !== event.connectionId)
          refuse(
            connection,
            "conflict",
            "Another cogno daemon on this machine connected with the same machine id and replaced this connection.",
            CLOSE_CODES.protocolError,
          );
      }
    } else if (event.type === "worker.stop_requested") {
      for (const connection of [...registry.ofWorker(event.workerId)]) {
        if (!isActing(connection)) continue;
        connection.state = "closing";
        connection.stopped = true;
        send(connection, { type: "disconnected", by: event.by });
        closeAndDestroy(connection, CLOSE_CODES.stopped, "stopped from the web app");
      }
    }
  };
  const unsubscribe = deps.bus.subscribe(onEvent);

  const register = async (connection: Connection, hello: RegisterMessage): Promise<void> => {
    // New machines per key per minute: a machine this owner registered before always comes back.
    const keyId = connection.apiKey.id;
    const tookToken = limits.takeNewWorker(keyId);
    if (
      !tookToken &&
      !(await workerExists(deps.db, {
        workspaceId: connection.workspaceId,
        ownerId: connection.ownerId,
        machineId: hello.machineId,
      }))
    ) {
      refuse(
        connection,
        "rate_limited",
        `Too many new machines for this key: at most ${limits.newWorkersPerMinute} a minute. Try again in ${limits.secondsUntilNewWorker(keyId)} s.`,
        TRY_AGAIN_LATER_CLOSE,
      );
      return;
    }
    const registered = await writes.register({
      newId: newId("wkr"),
      workspaceId: connection.workspaceId,
      ownerId: connection.ownerId,
      apiKeyId: connection.apiKey.id,
      connectionId: connection.id,
      ip: connection.ip,
      at: isoAt(deps.clock),
      hello,
    });
    if (tookToken && registered?.created !== true) limits.refundNewWorker(keyId);
    if (registered === undefined) {
      // The key was revoked or expired before the row could be written: nothing was written.
      // Read it again for the reason to give (expired, rolled, …); "revoked" if that read fails.
      await recheckKeys([connection.apiKey.id]).catch(() => undefined);
      cutOffAll([connection], "revoked");
      return;
    }
    const { workerId } = registered;
    registry.attachWorker(connection, workerId);
    if (connection.state === "closed") {
      // The socket closed while the row was written: record that, as the close handler could not.
      recordDisconnect(connection);
      return;
    }
    // Revoked, stopped or replaced while the row was written: it is not told it registered.
    if (connection.state !== "registering") return;
    connection.state = "registered";
    await deps.bus.publish({
      type: "worker.connected",
      workspaceId: connection.workspaceId,
      workerId,
      connectionId: connection.id,
    });
    if (connection.state !== "registered") return;
    send(connection, { type: "registered", workerId, heartbeatIntervalMs: intervalMs });
    deps.log.info(
      { workerId, apiKey: connection.apiKey.prefix, hostname: hello.hostname },
      "worker registered",
    );
    await deps.bus.publish({ type: "worker.updated", workspaceId: connection.workspaceId, workerId });
  };

  const onMessage = (connection: Connection, data: Buffer, isBinary: boolean): void => {
    // Told to close, revoked or closed: nothing it sends is read, let alone written.
    if (!isActing(connection)) return;
    const at = now();
    if (!connection.budget.take(at)) {
      refuse(
        connection,
        "rate_limited",
        "Too many messages: a worker sends one heartbeat per interval.",
        CLOSE_CODES.protocolError,
      );
      return;
    }
    const parsed = parseWorkerFrame(data, isBinary);
    if (!parsed.ok) {
      protocolError(connection, parsed.problem);
      return;
    }
    const message = parsed.message;
    connection.lastSeenAt = at;
    if (message.type === "register") {
      if (connection.state !== "open") {
        protocolError(connection, "Invalid message. register is sent once, as the first message.");
        return;
      }
      connection.state = "registering";
      track(
        register(connection, message).catch((error: unknown) => {
          // A server-side failure (the database, say) is not the worker's fault: 1011 makes it retry.
          deps.log.error({ err: error, apiKey: connection.apiKey.prefix }, "worker registration failed");
          if (!isActing(connection)) return;
          connection.state = "closing";
          closeAndDestroy(connection, SERVER_ERROR_CLOSE, "registration failed; reconnect");
        }),
      );
      return;
    }
    if (connection.state === "open") {
      protocolError(connection, "Invalid message. The first message must be register.");
      return;
    }
    if (message.type === "heartbeat") {
      connection.heartbeatPending = true;
    } else {
      connection.state = "closing";
      connection.stopped = true;
      closeAndDestroy(connection, 1000, "stopped");
    }
  };

  const recordDisconnect = (connection: Connection): void => {
    const { workerId, workspaceId } = connection;
    if (workerId === undefined) return;
    track(
      writes
        .disconnect({
          workerId,
          connectionId: connection.id,
          at: isoAt(deps.clock),
          stopped: connection.stopped,
        })
        .then((changed) =>
          changed ? deps.bus.publish({ type: "worker.updated", workspaceId, workerId }) : undefined,
        ),
    );
  };

  const onClose = (connection: Connection): void => {
    connection.state = "closed";
    connection.heartbeatPending = false;
    registry.remove(connection);
    if (registry.countOfKey(connection.apiKey.id) === 0) expiryTimers.clear(connection.apiKey.id);
    recordDisconnect(connection);
  };

  app.get(
    "/api/v1/worker/connect",
    {
      websocket: true,
      preValidation: async (request) => {
        const key = await options.keys.authenticate(request.headers.authorization, request.ip);
        const release = limits.reserveConnection(key.apiKey.id, registry.countOfKey(key.apiKey.id));
        if (release === undefined) {
          throw new AppError(
            "rate_limited",
            `This key has ${limits.maxConnections} connections open already, the most a key may hold. Close some, or use another key.`,
            { retryAfter: 60 },
          );
        }
        // An upgrade that never completes stops counting when its connection closes.
        request.raw.socket.once("close", release);
        request.workerKey = key;
        request.releaseUpgrade = release;
      },
    },
    (socket, request) => {
      request.releaseUpgrade?.();
      const key = request.workerKey;
      if (!key) {
        socket.close(CLOSE_CODES.protocolError, "unauthenticated");
        return;
      }
      openConnection(socket, key, request.ip);
    },
  );

  const openConnection = (socket: WebSocket, key: AuthenticatedKey, ip: string): void => {
    const at = now();
    const connection: Connection = {
      id: newId("conn"),
      socket,
      workspaceId: key.workspace.id,
      ownerId: key.apiKey.owner.id,
      ip,
      openedAt: at,
      budget: new TokenBucket(messageRule, at),
      apiKey: { id: key.apiKey.id, name: key.apiKey.name, prefix: key.apiKey.prefix },
      state: "open",
      workerId: undefined,
      lastSeenAt: at,
      heartbeatPending: false,
      stopped: false,
    };
    registry.add(connection);
    armExpiry(key.apiKey);
    socket.on("message", (data: Buffer, isBinary: boolean) => onMessage(connection, data, isBinary));
    socket.on("close", () => onClose(connection));
    socket.on("error", (error) => deps.log.debug({ err: error }, "worker socket error"));
  };

  const armExpiry = (key: ApiKey): void => {
    if (key.expiresAt !== null) expiryTimers.set(key.id, key.expiresAt);
  };

  /** Once per interval: write the heartbeats that arrived, and drop sockets that went silent. */
  const tick = (): void => {
    const at = now();
    const beats: { workerId: string; connectionId: string; at: string }[] = [];
    for (const connection of registry) {
      if (connection.heartbeatPending && connection.state === "registered" && connection.workerId) {
        connection.heartbeatPending = false;
        beats.push({
          workerId: connection.workerId,
          connectionId: connection.id,
          at: new Date(connection.lastSeenAt).toISOString(),
        });
      }
      if (connection.state === "open" && at - connection.openedAt > REGISTER_TIMEOUT_MS) {
        protocolError(connection, "Invalid message. Send register first.");
      } else if (at - connection.lastSeenAt > MISSED_HEARTBEATS_FOR_OFFLINE * intervalMs) {
        connection.socket.terminate();
      }
    }
    track(writes.heartbeats(beats));
    track(cutOffKeysRevokedUnheard());
    // A worker that stays connected is using its key: keep "last used" moving (once a minute per key).
    for (const keyId of registry.keyIds()) {
      const first = registry.ofKey(keyId).values().next().value;
      options.keys.recordUse(keyId, first?.ip ?? null);
    }
    limits.prune();
  };

  /**
   * The feed delivers revocations before they answer, but expiries are written by a sweep and a
   * replica can be cut off from the database for a while. Once per interval the keys of this
   * replica's sockets are checked in the database: a safety net behind the feed and the timers.
   */
  const cutOffKeysRevokedUnheard = async (): Promise<void> => {
    const held = [...registry.keyIds()];
    if (held.length === 0) return;
    const revoked = await findRevokedKeyIds(deps.db, held, isoAt(deps.clock));
    if (revoked.length > 0) await recheckKeys(revoked);
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();

  return {
    connectionCount: () => registry.size,
    async shutDown() {
      clearInterval(timer);
      unsubscribe();
      unsubscribeKeyChanges();
      expiryTimers.clearAll();
      tick();
      for (const connection of registry) {
        if (!isActing(connection)) continue;
        connection.state = "closing";
        connection.socket.close(CLOSE_CODES.goingAway, "server shutting down");
      }
      // Give close handshakes a moment, then make sure nothing lingers.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const connection of registry) connection.socket.terminate();
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await writes.idle();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
