/**
 * What happened to keys on this machine (logged in, rotated, refused, revoked), for `handoff`'s
 * "was the key just created, rotated, or revoked". Append-only JSON lines: an O_APPEND write of one
 * short line is atomic, so the daemon and a concurrent `cogno login` never lose each other's events.
 * Only display prefixes and names are written, never a key.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { parseOutsideJson } from "../input/outside-json.ts";
import { readFileIfExists } from "./atomic-file.ts";
import { ensureConfigDir } from "./config-dir.ts";

const keyEventSchema = z.object({
  kind: z.enum(["logged-in", "rotated", "refused", "revoked"]),
  at: z.string(),
  prefix: z.string(),
  name: z.string().optional(),
  /** For "rotated": the key this one replaced. */
  previousPrefix: z.string().optional(),
});
export type KeyEvent = z.infer<typeof keyEventSchema>;

export function keyEventsPathOf(configDir: string): string {
  return join(configDir, "key-events.jsonl");
}

export async function appendKeyEvent(configDir: string, event: KeyEvent): Promise<void> {
  await ensureConfigDir(configDir);
  await appendFile(keyEventsPathOf(configDir), `${JSON.stringify(event)}\n`, {
    encoding: "utf8",
    mode: 0o600,
  });
}

function parseKeyEvent(line: string): KeyEvent | undefined {
  const parsed = parseOutsideJson(keyEventSchema, line);
  return parsed.ok ? parsed.value : undefined;
}

/** Oldest first; unreadable lines (a torn write after a crash) are skipped. */
export async function readKeyEvents(configDir: string): Promise<KeyEvent[]> {
  const text = await readFileIfExists(keyEventsPathOf(configDir));
  if (text === undefined) return [];
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(parseKeyEvent)
    .filter((event): event is KeyEvent => event !== undefined);
}
