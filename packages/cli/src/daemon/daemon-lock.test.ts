import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createTemporaryConfigDir } from "../testing/run-cli.ts";
import {
  acquireDaemonLock,
  daemonLockPathOf,
  type LockHolder,
  readProcessStart,
  SYSTEM_PROCESS_PROBE,
} from "./daemon-lock.ts";

const children: ChildProcess[] = [];

/** A process that stays up until the test ends: a stand-in for a daemon that holds the lock. */
async function startSleeper(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
  children.push(child);
  await once(child, "spawn");
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

/** The pid of a process that has already exited. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

async function holderFor(pid: number): Promise<LockHolder> {
  return {
    pid,
    startedAt: "2026-06-01T12:00:00.000Z",
    hostname: "test-host",
    processStart: await readProcessStart(pid),
  };
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

describe("one daemon per config directory", () => {
  it("lets one daemon in and names it to the second", async () => {
    const dir = await createTemporaryConfigDir();
    const first = await holderFor(await startSleeper());
    const taken = await acquireDaemonLock(dir, first);
    expect(taken.kind).toBe("acquired");
    const second = await acquireDaemonLock(dir, await holderFor(process.pid));
    expect(second).toEqual({ kind: "held", holder: first, path: daemonLockPathOf(dir), sameHost: true });
  });

  it("of daemons starting at the same moment, exactly one wins", async () => {
    const dir = await createTemporaryConfigDir();
    const holders = await Promise.all(Array.from({ length: 6 }, async () => holderFor(await startSleeper())));
    const attempts = await Promise.all(holders.map((holder) => acquireDaemonLock(dir, holder)));
    expect(attempts.filter((attempt) => attempt.kind === "acquired")).toHaveLength(1);
    const winner = JSON.parse(await readFile(daemonLockPathOf(dir), "utf8"));
    for (const attempt of attempts) if (attempt.kind === "held") expect(attempt.holder).toEqual(winner);
  });

  it("takes over a stale lock whose process is gone", async () => {
    const dir = await createTemporaryConfigDir();
    await acquireDaemonLock(dir, await holderFor(await exitedPid()));
    const me = await holderFor(process.pid);
    expect((await acquireDaemonLock(dir, me)).kind).toBe("acquired");
    expect(JSON.parse(await readFile(daemonLockPathOf(dir), "utf8"))).toEqual(me);
    // Nothing left behind from the take-over.
    expect((await readdir(dir)).sort()).toEqual(["daemon.lock"]);
  });

  it("takes over a lock whose pid now belongs to a later process (pid reuse)", async () => {
    const dir = await createTemporaryConfigDir();
    const pid = await startSleeper();
    const reused: LockHolder = { ...(await holderFor(pid)), processStart: "1" };
    await mkdir(dir, { recursive: true });
    await writeFile(daemonLockPathOf(dir), `${JSON.stringify(reused)}\n`);
    expect((await acquireDaemonLock(dir, await holderFor(process.pid))).kind).toBe("acquired");
  });

  it("takes over a lock that is not a lock at all (a damaged file)", async () => {
    const dir = await createTemporaryConfigDir();
    await acquireDaemonLock(dir, await holderFor(process.pid));
    await writeFile(daemonLockPathOf(dir), "garbage");
    expect((await acquireDaemonLock(dir, await holderFor(await startSleeper()))).kind).toBe("acquired");
  });

  it("does not judge a holder on another host, whose pids it cannot see", async () => {
    const dir = await createTemporaryConfigDir();
    const elsewhere: LockHolder = { ...(await holderFor(await exitedPid())), hostname: "other-host" };
    await mkdir(dir, { recursive: true });
    await writeFile(daemonLockPathOf(dir), `${JSON.stringify(elsewhere)}\n`);
    expect(await acquireDaemonLock(dir, await holderFor(process.pid))).toMatchObject({
      kind: "held",
      sameHost: false,
    });
  });

  it("releases only its own lock", async () => {
    const dir = await createTemporaryConfigDir();
    const first = await acquireDaemonLock(dir, await holderFor(process.pid));
    if (first.kind !== "acquired") throw new Error("not acquired");
    const other = await holderFor(await startSleeper());
    await writeFile(daemonLockPathOf(dir), `${JSON.stringify(other)}\n`);
    await first.release();
    expect(JSON.parse(await readFile(daemonLockPathOf(dir), "utf8"))).toEqual(other);
    const second = await acquireDaemonLock(dir, await holderFor(process.pid));
    expect(second.kind).toBe("held");
  });

  it("reads a running process's start marker on Linux, and none for a process that is gone", async () => {
    if (process.platform !== "linux") return;
    expect(await readProcessStart(process.pid)).toMatch(/^\d+$/);
    expect(await readProcessStart(await exitedPid())).toBeUndefined();
    expect(SYSTEM_PROCESS_PROBE.isRunning(process.pid)).toBe(true);
  });
});
