/**
 * `cogno` / `cogno run [--name NAME]`: the worker daemon in the foreground. Returns on a clean stop
 * (a signal, or a stop from the web app); throws ExitError(3) when the key is refused or revoked, so
 * scripts and supervisors can tell "fix the key" apart from a crash.
 */
import { EXIT_CODES, registerMessageSchema } from "@cogno/protocol";
import { resolveActiveCredentials } from "../credentials/resolve.ts";
import { readCredentials } from "../credentials/store.ts";
import { runWorkerSession } from "../daemon/connection.ts";
import { loadOrCreateMachineId } from "../daemon/machine-id.ts";
import { runDaemon } from "../daemon/run-daemon.ts";
import { saveWorkerRecord } from "../daemon/worker-record.ts";
import { createUsageError, ExitError } from "../exit-error.ts";
import { describeKeyName, describeRevokedReason } from "../output/key-refused.ts";
import type { CommandContext } from "./context.ts";
import { recordKeyRefusal } from "./key-refusal.ts";

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

export async function runWorker(options: RunOptions, context: CommandContext): Promise<void> {
  const { config, output } = context;
  const active = resolveActiveCredentials(config, await readCredentials(config.configDir));
  const name = chooseWorkerName(options.name, config.hostname);
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

  const stopSignal = context.createStopSignal();
  const end = await runDaemon(
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

  switch (end.kind) {
    case "stopped":
      return;
    case "disconnected":
      // A stop from the web app is a clean stop (exit 0): a supervisor must not start it again.
      output.state(`stopped from the web app${end.by === undefined ? "" : ` by ${end.by.name}`}`);
      output.info("The key stays valid: run cogno again to reconnect this worker.");
      return;
    case "rejected":
      throw new ExitError(EXIT_CODES.failure, `The server closed the connection: ${end.reason}.`);
    case "refused":
    case "revoked": {
      const revoked = end.kind === "revoked" || end.error.code === "api_key_revoked";
      const keyName = (end.kind === "revoked" ? end.apiKey?.name : undefined) ?? active.known?.apiKey.name;
      const revokedReason = end.kind === "revoked" ? end.reason : undefined;
      output.state(
        revoked
          ? `revoked: key ${describeKeyName(active.displayPrefix, keyName)}: ${describeRevokedReason(revokedReason)}`
          : `refused: key ${describeKeyName(active.displayPrefix, keyName)}`,
      );
      throw await recordKeyRefusal(context, {
        code: end.kind === "revoked" ? "api_key_revoked" : end.error.code,
        revokedReason,
        serverMessage: end.kind === "refused" ? end.error.message : undefined,
        displayPrefix: active.displayPrefix,
        keyName,
        keySource: active.keySource,
      });
    }
  }
}
