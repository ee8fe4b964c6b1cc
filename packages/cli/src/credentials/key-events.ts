/**
 * What happened to keys on this machine (logged in, rotated, refused, revoked), for `handoff`'s
 * "was the key just created, rotated, or revoked". Append-only JSON lines: an O_APPEND write of one
 * short line is atomic, so the daemon and a concurrent `cogno login` never lose each other's events.
 * Only display prefixes and names are written, never a key.
 */
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { readFileIfExists } from "./atomic-file.ts";
import { ensureConfigDir } from "./config-dir.ts";

export type KeyEventKind = "logged-in" | "rotated" | "refused" | "revoked";

export interface KeyEvent {
  kind: KeyEventKind;
  at: string;
  prefix: string;
  name: string | undefined;
  /** For "rotated": the key this one replaced. */
  previousPrefix: string | undefined;
}

const KINDS: readonly KeyEventKind[] = ["logged-in", "rotated", "refused", "revoked"];

function isKeyEventKind(value: unknown): value is KeyEventKind {
  return KINDS.some((kind) => kind === value);
}

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
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null) return undefined;
    const kind = "kind" in value && isKeyEventKind(value.kind) ? value.kind : undefined;
    const at = "at" in value && typeof value.at === "string" ? value.at : undefined;
    const prefix = "prefix" in value && typeof value.prefix === "string" ? value.prefix : undefined;
    if (kind === undefined || at === undefined || prefix === undefined) return undefined;
    return {
      kind,
      at,
      prefix,
      name: "name" in value && typeof value.name === "string" ? value.name : undefined,
      previousPrefix:
        "previousPrefix" in value && typeof value.previousPrefix === "string"
          ? value.previousPrefix
          : undefined,
    };
  } catch {
    return undefined;
  }
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
