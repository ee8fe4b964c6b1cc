/**
 * A short record of the last command run on this machine and its last output lines, for
 * `cogno handoff` ("command you ran", "worker output or visible error text"). Lines arrive already
 * redacted from Output; the command line is redacted here, including a `--token` value that is not
 * key-shaped, so the file never holds a secret.
 */

import { join } from "node:path";
import { redactSecrets } from "@cogno/protocol";
import { readFileIfExists, writeFileAtomic } from "../credentials/atomic-file.ts";
import { ensureConfigDir } from "../credentials/config-dir.ts";

export const ACTIVITY_LOG_MAX_LINES = 20;

export interface ActivityRecord {
  command: string;
  startedAt: string;
  finishedAt: string | undefined;
  exitCode: number | undefined;
  lines: string[];
}

export interface ActivityLog {
  recordLine(line: string): void;
  finish(exitCode: number): Promise<void>;
}

export function activityLogPathOf(configDir: string): string {
  return join(configDir, "last-command.json");
}

/** `cogno login --token abc` → `cogno login --token <redacted>`; key-shaped values keep their prefix. */
export function redactCommandLine(args: readonly string[]): string {
  const hideValue = (value: string): string => {
    const redacted = redactSecrets(value);
    return redacted === value ? "<redacted>" : redacted;
  };
  const out: string[] = [];
  let hideNext = false;
  for (const arg of args) {
    if (hideNext) {
      out.push(arg === "-" ? arg : hideValue(arg));
      hideNext = false;
    } else if (arg === "--token" || arg === "-t") {
      out.push(arg);
      hideNext = true;
    } else if (arg.startsWith("--token=")) {
      out.push(`--token=${hideValue(arg.slice("--token=".length))}`);
    } else {
      out.push(redactSecrets(arg));
    }
  }
  return ["cogno", ...out].join(" ");
}

export function createActivityLog(configDir: string, args: readonly string[], now: () => Date): ActivityLog {
  const record: ActivityRecord = {
    command: redactCommandLine(args),
    startedAt: now().toISOString(),
    finishedAt: undefined,
    exitCode: undefined,
    lines: [],
  };
  // Writes run one after another so an older snapshot never renames over a newer one; a write that
  // is still queued picks up every line recorded meanwhile, so a burst of lines costs one write.
  let pending: Promise<void> = Promise.resolve();
  let queued = false;
  const persist = (): Promise<void> => {
    if (queued) return pending;
    queued = true;
    pending = pending
      .then(async () => {
        queued = false;
        const snapshot = `${JSON.stringify(record, null, 2)}\n`;
        await ensureConfigDir(configDir);
        await writeFileAtomic(activityLogPathOf(configDir), snapshot, 0o600);
      })
      // The log is a convenience: a read-only config dir must not fail the command itself.
      .catch(() => undefined);
    return pending;
  };
  return {
    recordLine(line) {
      record.lines.push(redactSecrets(line));
      if (record.lines.length > ACTIVITY_LOG_MAX_LINES) record.lines.shift();
      void persist();
    },
    finish(exitCode) {
      record.finishedAt = now().toISOString();
      record.exitCode = exitCode;
      return persist();
    },
  };
}

export async function readActivityLog(configDir: string): Promise<ActivityRecord | undefined> {
  const text = await readFileIfExists(activityLogPathOf(configDir));
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const command = "command" in parsed && typeof parsed.command === "string" ? parsed.command : undefined;
    const startedAt =
      "startedAt" in parsed && typeof parsed.startedAt === "string" ? parsed.startedAt : undefined;
    if (command === undefined || startedAt === undefined) return undefined;
    const lines =
      "lines" in parsed && Array.isArray(parsed.lines)
        ? parsed.lines.filter((line): line is string => typeof line === "string")
        : [];
    return {
      command: redactSecrets(command),
      startedAt,
      finishedAt:
        "finishedAt" in parsed && typeof parsed.finishedAt === "string" ? parsed.finishedAt : undefined,
      exitCode: "exitCode" in parsed && typeof parsed.exitCode === "number" ? parsed.exitCode : undefined,
      lines: lines.slice(-ACTIVITY_LOG_MAX_LINES).map(redactSecrets),
    };
  } catch {
    return undefined;
  }
}
