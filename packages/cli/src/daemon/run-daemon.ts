/**
 * The worker daemon's loop: connect, stay registered, and on a lost connection wait a jittered,
 * growing delay and connect again. It stops for good only when asked to, or when the server refuses
 * the key (a revoked key must never be retried in a loop).
 */
import type { ApiKeyRef, RegisterMessage } from "@cogno/protocol";
import type { ServerError } from "../http/error-body.ts";
import { workerSocketUrlOf } from "../http/server-url.ts";
import type { Output } from "../output/output.ts";
import { type BackoffPolicy, computeBackoffDelay, DEFAULT_BACKOFF, type RandomSource } from "./backoff.ts";
import type { SessionEnd, SessionOptions } from "./connection.ts";

export type DaemonEnd =
  | { kind: "stopped" }
  | { kind: "refused"; error: ServerError }
  | { kind: "revoked"; apiKey: ApiKeyRef | undefined }
  | { kind: "rejected"; reason: string };

export interface DaemonOptions {
  server: string;
  key: string;
  register: RegisterMessage;
  stopSignal: AbortSignal;
}

export interface DaemonDeps {
  output: Output;
  random: RandomSource;
  runSession: (options: SessionOptions) => Promise<SessionEnd>;
  /** Waits `ms`, or less if `signal` aborts first; never rejects. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  onRegistered: (workerId: string) => void;
  backoff?: BackoffPolicy;
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}

export async function runDaemon(options: DaemonOptions, deps: DaemonDeps): Promise<DaemonEnd> {
  const { output } = deps;
  const url = workerSocketUrlOf(options.server);
  // Counts failures since the last successful registration, so one blip after hours online
  // reconnects within a second instead of inheriting an old, long delay.
  let failures = 0;
  let lastWorkerId: string | undefined;
  while (!options.stopSignal.aborted) {
    output.state(`connecting to ${options.server} as "${options.register.name}"`);
    const end = await deps.runSession({
      url,
      key: options.key,
      register: options.register,
      stopSignal: options.stopSignal,
      random: deps.random,
      onRegistered: (workerId, heartbeatIntervalMs) => {
        failures = 0;
        const again = workerId === lastWorkerId ? " again" : "";
        lastWorkerId = workerId;
        output.state(
          `registered${again} as ${workerId} (heartbeat every ${formatSeconds(heartbeatIntervalMs)})`,
        );
        deps.onRegistered(workerId);
      },
    });
    if (end.kind !== "lost") {
      if (end.kind === "stopped") output.state("stopped");
      return end;
    }
    const policy = deps.backoff ?? DEFAULT_BACKOFF;
    // A Retry-After from the server is honoured, but never beyond the cap a user expects to wait.
    const retryAfter = Math.min(end.retryAfterMs ?? 0, policy.capMs);
    const delay = Math.max(computeBackoffDelay(failures, deps.random, policy), retryAfter);
    failures += 1;
    output.state(`connection lost (${end.reason}); reconnecting in ${formatSeconds(delay)}`);
    await deps.sleep(delay, options.stopSignal);
  }
  output.state("stopped");
  return { kind: "stopped" };
}
