/**
 * `cogno` / `cogno run [--name NAME]`: the worker daemon in the foreground. Returns on a clean stop
 * (a signal, or a stop from the web app); throws ExitError(3) when the key is refused or revoked, so
 * scripts and supervisors can tell "fix the key" apart from a crash.
 */
import { EXIT_CODES, registerMessageSchema } from "@cogno/protocol";
import { resolveActiveCredentials } from "../credentials/resolve.ts";
import { readCredentials } from "../credentials/store.ts";
import { runWorkerSession } from "../daemon/connection.ts";
import { acquireDaemonLock, type LockAttempt, readProcessStart } from "../daemon/daemon-lock.ts";
import { loadOrCreateMachineId } from "../daemon/machine-id.ts";
import { type DaemonEnd, runDaemon } from "../daemon/run-daemon.ts";
import { saveWorkerRecord } from "../daemon/worker-record.ts";
import { createUsageError, ExitError } from "../exit-error.ts";
import type { CommandContext } from "./context.ts";
import { finishDaemon } from "./daemon-end.ts";

export interface RunOptions {
  name: string | undefined;
}

export const WORKER_NAME_MAX = 100;

export function chooseWorkerName(requested: string | undefined, hostname: string): string {
  if (requested === undefined) return hostname.trim().slice(0, WORKER_NAME_MAX) || "worker";
  const name = requested.trim();
  if (name === "") throw createUsageError("--name must not be empty.");
  if (name.length > WORKER_NAME_MAX)
    throw createUsageError(`--name must be at most ${WORKER_NAME_MAX} characters.`);
  return name;
}

function describeHeldLock(lock: Extract<LockAttempt, { kind: "held" }>, configDir: string): ExitError {
  const { holder } = lock;
  const where = lock.sameHost ? "" : ` on ${holder.hostname}`;
  return new ExitError(
    EXIT_CODES.failure,
    [
      `Another cogno worker is already running from ${configDir}: pid ${holder.pid}${where}, started ${holder.startedAt}.`,
      "Two workers sharing one config directory share one machine id, and the server would keep replacing one with the other.",
      "Stop that one first, or give this one its own directory (XDG_CONFIG_HOME=… cogno login, then XDG_CONFIG_HOME=… cogno).",
      `If no such worker is running, remove ${lock.path}.`,
    ].join("\n"),
  );
}

export async function runWorker(options: RunOptions, context: CommandContext): Promise<void> {
  const { config, output } = context;
  const active = resolveActiveCredentials(config, await readCredentials(config.configDir));
  const name = chooseWorkerName(options.name, config.hostname);
  context.warnIfCleartext(active.server);
  const machineId = await loadOrCreateMachineId(config.configDir);
  // The gateway validates the same schema; checking here turns a bad hostname into a clear message.
  const register = registerMessageSchema.safeParse({
    type: "register",
    machineId,
    name,
    hostname: config.hostname.trim() || "unknown",
    os: config.os,
    arch: config.arch,
    version: config.version,
  });
  if (!register.success) {
    throw new ExitError(
      EXIT_CODES.failure,
      `Cannot register this machine: ${register.error.issues[0]?.message ?? "invalid"}.`,
    );
  }

  const lock = await acquireDaemonLock(config.configDir, {
    pid: process.pid,
    startedAt: context.now().toISOString(),
    hostname: config.hostname,
    processStart: await readProcessStart(process.pid),
  });
  if (lock.kind === "held") throw describeHeldLock(lock, config.configDir);

  let end: DaemonEnd;
  try {
    const stopSignal = context.createStopSignal();
    end = await runDaemon(
      { server: active.server, key: active.key, register: register.data, stopSignal },
      {
        output,
        random: context.random,
        runSession: runWorkerSession,
        sleep: context.sleep,
        onRegistered: (workerId) => {
          void saveWorkerRecord(config.configDir, {
            workerId,
            server: active.server,
            registeredAt: context.now().toISOString(),
          }).catch(() => undefined);
        },
      },
    );
  } finally {
    await lock.release();
  }

  await finishDaemon(end, active, context);
}
