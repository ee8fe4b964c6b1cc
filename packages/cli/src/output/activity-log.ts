/**
 * A short record of the last command run on this machine and its last output lines, for
 * `cogno handoff` ("command you ran", "worker output or visible error text"). Lines arrive already
 * redacted from Output; the command line is redacted here, including a `--token` value that is not
 * key-shaped, so the file never holds a secret.
 */

import { join } from "node:path";
import { redactSecrets } from "@cogno/protocol";
import { z } from "zod";
import { readFileIfExists, writeFileAtomic } from "../credentials/atomic-file.ts";
import { ensureConfigDir } from "../credentials/config-dir.ts";
import { parseOutsideJson } from "../input/outside-json.ts";

export const ACTIVITY_LOG_MAX_LINES = 20;

const activityRecordSchema = z.object({
  command: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  exitCode: z.number().optional(),
  lines: z.array(z.string()).catch([]),
});
export type ActivityRecord = z.infer<typeof activityRecordSchema>;

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
  const parsed = parseOutsideJson(activityRecordSchema, text);
  if (!parsed.ok) return undefined;
  const record = parsed.value;
  // Redacted again on the way out: the file may have been edited by hand since.
  return {
    ...record,
    command: redactSecrets(record.command),
    lines: record.lines.slice(-ACTIVITY_LOG_MAX_LINES).map(redactSecrets),
  };
}
