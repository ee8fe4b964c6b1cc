/**
 * One worker socket and its life. The life is one field, so "may this socket still act?" has one
 * answer: only an `open`, `registering` or `registered` connection is acted on. Once a connection is
 * told to close (a protocol error, a stop, its key revoked) nothing it sends is read again: a
 * client that ignores the close frame and keeps sending writes nothing (API.md v1.1).
 */
import type { ApiKeyRef } from "@cogno/protocol";
import type { WebSocket } from "ws";
import type { TokenBucket } from "./message-budget.ts";

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
