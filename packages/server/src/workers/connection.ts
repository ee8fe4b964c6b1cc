/**
 * One worker socket and its life. The life is one field, so "may this socket still act?" has one
 * answer: only an `open`, `registering` or `registered` connection is acted on. Once a connection is
 * told to close (a protocol error, a stop, its key revoked) nothing it sends is read again: a
 * client that ignores the close frame and keeps sending writes nothing (API.md v1.1).
 */
import {
  type ApiKeyRef,
  CLOSE_CODES,
  type ErrorCode,
  type RevokedReason,
  type ServerMessage,
} from "@cogno/protocol";
import type { WebSocket } from "ws";
import type { TokenBucket } from "./message-budget.ts";
import { encodeServerMessage } from "./protocol.ts";

/**
 * A socket told to close gets this long to read the last message and answer the close frame; then
 * it is destroyed, so a client that ignores the close holds nothing open.
 */
export const TERMINATE_AFTER_MS = 250;

export type ConnectionState =
  /** Authenticated, waiting for `register`. */
  | "open"
  /** `register` received; its row is being written. */
  | "registering"
  /** A worker: heartbeats are recorded. */
  | "registered"
  /** Told to close (protocol error, stop, server shutting down): ignored from now on. */
  | "closing"
  /** Its key was revoked or expired: ignored, and the socket destroyed shortly. */
  | "revoked"
  /** The socket is gone. */
  | "closed";

export interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly workspaceId: string;
  readonly ownerId: string;
  readonly ip: string;
  readonly openedAt: number;
  readonly budget: TokenBucket;
  /** The key, as the revoked message names it (renamed in place when the key is renamed). */
  apiKey: ApiKeyRef;
  state: ConnectionState;
  workerId: string | undefined;
  lastSeenAt: number;
  /** A heartbeat arrived since the last write (the time is `lastSeenAt`). */
  heartbeatPending: boolean;
  /** How the close should be recorded: a clean stop (the worker's or the web app's) or a drop. */
  stopped: boolean;
}

/** Whether what the connection sends is still acted on. */
export function isActing(connection: Connection): boolean {
  return (
    connection.state === "open" || connection.state === "registering" || connection.state === "registered"
  );
}

export function send(connection: Connection, message: ServerMessage): void {
  if (connection.socket.readyState === connection.socket.OPEN)
    connection.socket.send(encodeServerMessage(message));
}

/** Closes with `code` and destroys the socket shortly after, whether or not the client answers. */
export function closeAndDestroy(connection: Connection, code: number, reason: string): void {
  connection.socket.close(code, reason);
  setTimeout(() => connection.socket.terminate(), TERMINATE_AFTER_MS).unref();
}

/** Tells an acting connection what is wrong (an `error` message), and ends it with `closeCode`. */
export function refuse(connection: Connection, code: ErrorCode, message: string, closeCode: number): void {
  if (!isActing(connection)) return;
  connection.state = "closing";
  send(connection, { type: "error", error: { code, message } });
  closeAndDestroy(connection, closeCode, code);
}

/**
 * Cuts off connections whose key was revoked (a revocation fans out to a whole fleet): every one
 * stops acting before this returns; the `revoked` messages (encoded once per key) go out first, so
 * the last worker hears it sooner; the close frames follow, and one timer destroys what is left.
 */
export function cutOffAll(connections: Iterable<Connection>, reason: RevokedReason): void {
  const doomed = [...connections].filter(
    (connection) => connection.state !== "revoked" && connection.state !== "closed",
  );
  const payloads = new Map<string, string>();
  for (const connection of doomed) {
    connection.state = "revoked";
    connection.heartbeatPending = false;
    let payload = payloads.get(connection.apiKey.id);
    if (payload === undefined) {
      payload = encodeServerMessage({ type: "revoked", apiKey: connection.apiKey, reason });
      payloads.set(connection.apiKey.id, payload);
    }
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(payload);
  }
  if (doomed.length === 0) return;
  setImmediate(() => {
    for (const connection of doomed) connection.socket.close(CLOSE_CODES.revoked, "api key revoked");
  });
  setTimeout(() => {
    for (const connection of doomed) connection.socket.terminate();
  }, TERMINATE_AFTER_MS).unref();
}
