/**
 * One worker daemon per config directory. Two daemons started from one directory share its machine
 * id, so the server takes each one's connection as the same machine reconnecting and drops the
 * other, which reconnects and drops the first, in a loop. The second daemon therefore refuses to
 * start and names the first.
 *
 * `daemon.lock` in the config directory holds the holder's pid, start time and host. It is created
 * atomically (createFileOnce: a complete temporary file hard-linked into place, which fails if the
 * lock exists), so of two daemons starting together exactly one wins. A lock whose process is gone (the pid no longer
 * runs, or now belongs to a process that started later: pid reuse) is stale and is taken over; the
 * take-over renames the stale file away and checks it moved the file it judged stale, so it never
 * removes a lock another daemon has just taken. Known limit: processes in different pid namespaces
 * (containers sharing one config volume) cannot see each other's pids.
 */
import { randomBytes } from "node:crypto";
import { link, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { createFileOnce, isErrnoException, readFileIfExists } from "../credentials/atomic-file.ts";
import { ensureConfigDir } from "../credentials/config-dir.ts";
import { parseOutsideJson } from "../input/outside-json.ts";

const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  hostname: z.string(),
  /** What the operating system says about when the process started (Linux: /proc start ticks); detects pid reuse. */
  processStart: z.string().optional(),
});
export type LockHolder = z.infer<typeof lockHolderSchema>;

export interface ProcessProbe {
  /** Whether a process with this pid exists on this machine. */
  isRunning: (pid: number) => boolean;
  /** The process's start marker (as `LockHolder.processStart`), when the system tells it. */
  startOf: (pid: number) => Promise<string | undefined>;
}

export type LockAttempt =
  | { kind: "acquired"; release: () => Promise<void> }
  | { kind: "held"; holder: LockHolder; path: string; sameHost: boolean };

const ATTEMPTS = 5;

export function daemonLockPathOf(configDir: string): string {
  return join(configDir, "daemon.lock");
}

/** Reads a process's start time in clock ticks since boot from /proc (Linux); undefined elsewhere. */
export async function readProcessStart(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Field 22 of the whole line is the 20th after the command name.
    return fields[19];
  } catch {
    return undefined;
  }
}

export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it just is not ours to signal.
    return isErrnoException(error) && error.code === "EPERM";
  }
}

export const SYSTEM_PROCESS_PROBE: ProcessProbe = { isRunning: isProcessRunning, startOf: readProcessStart };

async function holderIsAlive(holder: LockHolder, self: LockHolder, probe: ProcessProbe): Promise<boolean> {
  // Another machine's daemon (a config directory on a shared disk) cannot be checked from here.
  if (holder.hostname !== self.hostname) return true;
  // Our own pid in an old lock is a previous life of this pid (a container restarted), not a rival.
  if (holder.pid === self.pid) return false;
  if (!probe.isRunning(holder.pid)) return false;
  if (holder.processStart === undefined) return true;
  const start = await probe.startOf(holder.pid);
  return start === undefined || start === holder.processStart;
}

/** Removes the lock at `path` only if it still holds `staleText`; puts back a lock taken meanwhile. */
async function removeStaleLock(path: string, staleText: string): Promise<void> {
  const moved = `${path}.stale.${process.pid}.${randomBytes(6).toString("hex")}`;
  try {
    await rename(path, moved);
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") return; // someone else removed it
    throw error;
  }
  try {
    const movedText = await readFile(moved, "utf8");
    if (movedText !== staleText) {
      // Another daemon took the lock between our read and our rename: give it back.
      await link(moved, path).catch(() => undefined);
    }
  } finally {
    await rm(moved, { force: true });
  }
}

export async function acquireDaemonLock(
  configDir: string,
  self: LockHolder,
  probe: ProcessProbe = SYSTEM_PROCESS_PROBE,
): Promise<LockAttempt> {
  await ensureConfigDir(configDir);
  const path = daemonLockPathOf(configDir);
  const ownText = `${JSON.stringify(self)}\n`;
  let lastHolder: LockHolder | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const current = await createFileOnce(path, ownText, 0o600);
    if (current === ownText) {
      return {
        kind: "acquired",
        release: async () => {
          // Only our own lock: after a take-over by someone else, it is theirs.
          if ((await readFileIfExists(path)) === ownText) await rm(path, { force: true });
        },
      };
    }
    const holder = parseOutsideJson(lockHolderSchema, current);
    if (holder.ok && (await holderIsAlive(holder.value, self, probe))) {
      return { kind: "held", holder: holder.value, path, sameHost: holder.value.hostname === self.hostname };
    }
    lastHolder = holder.ok ? holder.value : lastHolder;
    await removeStaleLock(path, current);
  }
  // Still contended after several rounds: someone keeps taking it, so it is held.
  const text = await readFileIfExists(path);
  const holder = text === undefined ? undefined : parseOutsideJson(lockHolderSchema, text);
  const latest = holder?.ok === true ? holder.value : lastHolder;
  if (latest === undefined) throw new Error(`could not take ${path}`);
  return { kind: "held", holder: latest, path, sameHost: latest.hostname === self.hostname };
}
