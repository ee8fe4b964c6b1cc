/**
 * The worker daemon's loop: connect, stay registered, and on a lost connection wait a jittered,
 * growing delay and connect again. It stops for good only when asked to, or when the server refuses
 * the key (a revoked key must never be retried in a loop).
 */
import type { RegisterMessage } from "@cogno/protocol";
import { describeUnreachable } from "../http/network-error.ts";
import { workerSocketUrlOf } from "../http/server-url.ts";
import type { Output } from "../output/output.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF, type RandomSource } from "./backoff.ts";
import type { SessionEnd, SessionOptions } from "./connection.ts";
import { FIRST_CONNECT, planReconnect } from "./reconnect.ts";

/** How the daemon ended: every way a session ends except a lost connection, which it retries. */
export type DaemonEnd = Exclude<SessionEnd, { kind: "lost" }>;

type LostEnd = Extract<SessionEnd, { kind: "lost" }>;

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

function describeReconnect(lost: LostEnd, server: string, everReached: boolean, delayMs: number): string {
  const wait = formatSeconds(delayMs);
  // A URL that never answered is most often a typo or a server that is not running: say so.
  if (lost.cause === "unreachable" && !everReached)
    return `${describeUnreachable(server, lost.reason)} Retrying in ${wait}`;
  return `connection lost (${lost.reason}); reconnecting in ${wait}`;
}

export async function runDaemon(options: DaemonOptions, deps: DaemonDeps): Promise<DaemonEnd> {
  const { output } = deps;
  const url = workerSocketUrlOf(options.server);
  let reconnect = FIRST_CONNECT;
  let everReached = false;
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
    const plan = planReconnect(end, reconnect, deps.random, deps.backoff ?? DEFAULT_BACKOFF);
    reconnect = plan.next;
    output.state(describeReconnect(end, options.server, everReached, plan.delayMs));
    everReached ||= end.cause !== "unreachable";
    await deps.sleep(plan.delayMs, options.stopSignal);
  }
  output.state("stopped");
  return { kind: "stopped" };
}
