/**
 * One connection of the worker to the gateway (API.md, "Worker side"): upgrade with the bearer key,
 * register, heartbeat, and report how the connection ended. Whether to reconnect is decided by the
 * caller (run-daemon.ts) from the returned `SessionEnd`.
 */
import type { IncomingMessage } from "node:http";
import {
  type ApiKeyRef,
  CLOSE_CODES,
  escapeControlCharacters,
  type RegisterMessage,
  type RevokedReason,
  type WorkerMessage,
} from "@cogno/protocol";
import { WebSocket } from "ws";
import { parseErrorBody, type ServerError } from "../http/error-body.ts";
import { describeNetworkError } from "../http/network-error.ts";
import { parseRetryAfter } from "../http/retry-after.ts";
import type { RandomSource } from "./backoff.ts";
import { clampHeartbeatInterval, computeHeartbeatDelay } from "./heartbeat.ts";
import { parseServerFrame } from "./server-message.ts";

export type SessionEnd =
  /** We were asked to stop and told the server so. */
  | { kind: "stopped" }
  /** HTTP 401 at the upgrade: the key is malformed, unknown or revoked. */
  | { kind: "refused"; error: ServerError }
  /** The server sent `revoked` or closed with 4001: do not reconnect. */
  | { kind: "revoked"; apiKey: ApiKeyRef | undefined; reason: RevokedReason | undefined }
  /** Stopped from the web app (`disconnected`, close 4002): do not reconnect; the key stays valid. */
  | { kind: "disconnected"; by: StoppedBy | undefined }
  /** Reconnecting would not help: a protocol error (4000), another 4xxx close, or a 4xx at the upgrade. */
  | { kind: "rejected"; reason: string }
  /** The network, a 5xx, a 1001 or a 1013: reconnect. */
  | { kind: "lost"; reason: string; cause: LostCause; registered: boolean; retryAfterMs: number | undefined };

/**
 * Why a connection was lost, which decides how soon to come back: `unreachable` never got an answer
 * from the server (refused, unknown host, no answer in time); `draining` is a close 1001 from a
 * server that is shutting down or handing its workers to another replica; `busy` is the server's
 * "try again later" (close 1013, or 429 or 503 at the upgrade); `dropped` is anything else.
 */
export type LostCause = "unreachable" | "draining" | "busy" | "dropped";

/** Close 1013 "Try Again Later" (RFC 6455 registry): the server's per-key limits. */
const TRY_AGAIN_LATER = 1013;

/** Who stopped the worker from the web app. */
export interface StoppedBy {
  id: string;
  name: string;
}

export interface SessionOptions {
  url: URL;
  key: string;
  register: RegisterMessage;
  /** Aborted on SIGINT/SIGTERM: send `stopping`, close, and end with "stopped". */
  stopSignal: AbortSignal;
  random: RandomSource;
  onRegistered: (workerId: string, heartbeatIntervalMs: number) => void;
  handshakeTimeoutMs?: number;
  /** How long to wait for the server to acknowledge our close after `stopping`. */
  stopTimeoutMs?: number;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_SERVER_FRAME_BYTES = 1024 * 1024;
/** Without any frame or pong for this many intervals the connection is presumed dead (half-open TCP). */
const SILENT_INTERVALS_BEFORE_DEAD = 3;

function describeClose(code: number, rawReason: string): string {
  // The close reason is the server's text, read from a frame no schema covers.
  const reason = escapeControlCharacters(rawReason);
  if (code === CLOSE_CODES.goingAway) return "the server is going away";
  if (code === 1006) return "the connection dropped";
  if (code === TRY_AGAIN_LATER)
    return `the server asks to try again later${reason === "" ? "" : ` (${reason})`}`;
  return reason === "" ? `closed with code ${code}` : `closed with code ${code}: ${reason}`;
}

function causeOfClose(code: number): LostCause {
  if (code === CLOSE_CODES.goingAway) return "draining";
  if (code === TRY_AGAIN_LATER) return "busy";
  return "dropped";
}

function readLimitedBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      if (size >= MAX_ERROR_BODY_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

export function runWorkerSession(options: SessionOptions): Promise<SessionEnd> {
  return new Promise((resolve) => {
    let settled = false;
    let registered = false;
    let stopRequested = false;
    let revokedKey: ApiKeyRef | undefined;
    let revokedReason: RevokedReason | undefined;
    let stoppedBy: StoppedBy | undefined;
    let serverErrorMessage: string | undefined;
    let lastNetworkError: string | undefined;
    // Whether the server answered at all (an upgrade, or an HTTP status): a URL that never answered
    // is reported as such, not as a lost connection.
    let reached = false;
    let heartbeatTimer: NodeJS.Timeout | undefined;
    let stopTimer: NodeJS.Timeout | undefined;
    let lastHeardAt = Date.now();

    const socket = new WebSocket(options.url, {
      headers: { authorization: `Bearer ${options.key}` },
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      maxPayload: MAX_SERVER_FRAME_BYTES,
      perMessageDeflate: false,
      // A redirect would resend the bearer key to wherever the Location header points.
      followRedirects: false,
    });

    const finish = (end: SessionEnd): void => {
      if (settled) return;
      settled = true;
      clearTimeout(heartbeatTimer);
      clearTimeout(stopTimer);
      options.stopSignal.removeEventListener("abort", requestStop);
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      resolve(end);
    };

    const send = (message: WorkerMessage): void => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };

    const scheduleHeartbeat = (intervalMs: number): void => {
      heartbeatTimer = setTimeout(
        () => {
          if (Date.now() - lastHeardAt > SILENT_INTERVALS_BEFORE_DEAD * intervalMs) {
            lastNetworkError = "the server stopped answering";
            socket.terminate();
            return;
          }
          send({ type: "heartbeat" });
          // The pong proves the server is still there even if it never writes to us.
          if (socket.readyState === WebSocket.OPEN) socket.ping();
          scheduleHeartbeat(intervalMs);
        },
        computeHeartbeatDelay(intervalMs, options.random),
      );
    };

    function requestStop(): void {
      if (stopRequested || settled) return;
      stopRequested = true;
      if (socket.readyState !== WebSocket.OPEN) {
        finish({ kind: "stopped" });
        return;
      }
      if (registered) send({ type: "stopping" });
      socket.close(1000, "stopping");
      stopTimer = setTimeout(() => finish({ kind: "stopped" }), options.stopTimeoutMs ?? 3_000);
    }

    socket.on("unexpected-response", (_request, response) => {
      reached = true;
      void readLimitedBody(response).then((body) => {
        const status = response.statusCode ?? 0;
        if (status === 401) {
          finish({ kind: "refused", error: parseErrorBody(body) });
          return;
        }
        const { message } = parseErrorBody(body);
        const reason = `the server answered ${status}${message === undefined ? "" : `: ${message}`}`;
        if (status >= 500 || status === 429 || status === 408) {
          finish({
            kind: "lost",
            reason,
            cause: status === 429 || status === 503 ? "busy" : "dropped",
            registered: false,
            retryAfterMs: parseRetryAfter(response.headers["retry-after"]),
          });
        } else {
          finish({ kind: "rejected", reason });
        }
      });
    });

    socket.on("open", () => {
      reached = true;
      lastHeardAt = Date.now();
      send(options.register);
    });

    socket.on("pong", () => {
      lastHeardAt = Date.now();
    });

    socket.on("message", (data, isBinary) => {
      lastHeardAt = Date.now();
      if (isBinary) return;
      const frame = parseServerFrame(data.toString());
      if (frame.kind === "ignored") return;
      if (frame.kind === "malformed") {
        finish({
          kind: "rejected",
          reason: `the server sent a "${frame.type}" message that does not fit the contract (${frame.problem}); is this cogno older than the server?`,
        });
        return;
      }
      const { message } = frame;
      switch (message.type) {
        case "registered": {
          const interval = clampHeartbeatInterval(message.heartbeatIntervalMs);
          registered = true;
          clearTimeout(heartbeatTimer);
          scheduleHeartbeat(interval);
          options.onRegistered(message.workerId, interval);
          break;
        }
        case "revoked":
          // Exit at once: the close 4001 that follows adds nothing, and "immediately" is the promise.
          revokedKey = message.apiKey;
          revokedReason = message.reason;
          finish({ kind: "revoked", apiKey: revokedKey, reason: revokedReason });
          break;
        case "disconnected":
          // Likewise: the close 4002 that follows only repeats it.
          stoppedBy = message.by;
          finish({ kind: "disconnected", by: stoppedBy });
          break;
        case "error":
          serverErrorMessage = message.error.message;
          break;
      }
    });

    socket.on("error", (error) => {
      lastNetworkError = describeNetworkError(error);
    });

    socket.on("close", (code, reasonBuffer) => {
      const reason = reasonBuffer.toString("utf8");
      if (stopRequested) {
        finish({ kind: "stopped" });
      } else if (code === CLOSE_CODES.revoked) {
        finish({ kind: "revoked", apiKey: revokedKey, reason: revokedReason });
      } else if (code === CLOSE_CODES.stopped) {
        finish({ kind: "disconnected", by: stoppedBy });
      } else if (code === CLOSE_CODES.protocolError) {
        finish({ kind: "rejected", reason: serverErrorMessage ?? describeClose(code, reason) });
      } else if (code >= 4000 && code < 5000) {
        // Application close codes are deliberate decisions by the server; retrying would repeat them.
        finish({ kind: "rejected", reason: serverErrorMessage ?? describeClose(code, reason) });
      } else {
        const detail =
          code === 1006 && lastNetworkError !== undefined ? lastNetworkError : describeClose(code, reason);
        finish({
          kind: "lost",
          reason: detail,
          cause: reached ? causeOfClose(code) : "unreachable",
          registered,
          retryAfterMs: undefined,
        });
      }
    });

    if (options.stopSignal.aborted) {
      requestStop();
    } else {
      options.stopSignal.addEventListener("abort", requestStop, { once: true });
    }
  });
}
