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
 * registry.ts (indexes), key-watch.ts (the keys' life: revoked, expired, renamed), message-budget.ts
 * (a worker's message rate), per-key-limits.ts (caps), presence-writes.ts (batched, guarded writes).
 */
import { CLOSE_CODES, type RegisterMessage } from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import type { AuthenticatedKey, KeyAuthenticator } from "../apikeys/authenticator.ts";
import { isoAt } from "../clock.ts";
import type { Deps } from "../deps.ts";
import type { DomainEvent } from "../events/bus.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { type Connection, closeAndDestroy, cutOffAll, isActing, refuse, send } from "./connection.ts";
import { ConnectionRegistry } from "./connection-registry.ts";
import { KeyWatch } from "./key-watch.ts";
import { type BucketRule, TokenBucket } from "./message-budget.ts";
import { PerKeyLimits } from "./per-key-limits.ts";
import { PresenceWrites } from "./presence-writes.ts";
import { parseWorkerFrame } from "./protocol.ts";
import { MISSED_HEARTBEATS_FOR_OFFLINE } from "./status.ts";
import { workerExists } from "./store.ts";

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

  const protocolError = (connection: Connection, message: string): void =>
    refuse(connection, "validation_failed", message, CLOSE_CODES.protocolError);

  const keyWatch = new KeyWatch(deps, registry, track);
  const unsubscribeKeyChanges = deps.keyChanges.subscribe(keyWatch.onKeyChange);

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
      await keyWatch.recheck([connection.apiKey.id]).catch(() => undefined);
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
    keyWatch.disconnected(connection.apiKey.id);
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
    keyWatch.connected(key.apiKey);
    socket.on("message", (data: Buffer, isBinary: boolean) => onMessage(connection, data, isBinary));
    socket.on("close", () => onClose(connection));
    socket.on("error", (error) => deps.log.debug({ err: error }, "worker socket error"));
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
    track(keyWatch.checkHeld());
    // A worker that stays connected is using its key: keep "last used" moving (once a minute per key).
    for (const keyId of registry.keyIds()) {
      const first = registry.ofKey(keyId).values().next().value;
      options.keys.recordUse(keyId, first?.ip ?? null);
    }
    limits.prune();
  };

  const timer = setInterval(tick, intervalMs);
  timer.unref();

  return {
    connectionCount: () => registry.size,
    async shutDown() {
      clearInterval(timer);
      unsubscribe();
      unsubscribeKeyChanges();
      keyWatch.stop();
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
