/**
 * A full disk under a running SQLite server, on a small file system made for the test (a tmpfs of a
 * few MB; mounting one needs root, so the test is skipped where that is not possible). While the
 * disk is full: writes get 503 service_unavailable with Retry-After, reads still work, /readyz says
 * "not ready: cannot write", and the log says so once and clearly. Once space is back: ready again,
 * the write-ahead log truncated, writes work.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { errorBodySchema } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, bodyOf, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { TEST_ENGINE } from "../support/store.ts";
import { waitFor } from "../support/wait-for.ts";
import { outcome } from "./churn.ts";

const mountPoint = mkdtempSync(path.join(tmpdir(), "cogno-full-disk-"));
const dataDir = path.join(mountPoint, "data");
const filler = path.join(mountPoint, "filler");

function mountSmallFileSystem(): boolean {
  if (TEST_ENGINE !== "sqlite") return false;
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const mounted = mountSmallFileSystem();
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop();
  if (mounted) await unmount();
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Unmounts the test's file system; a process that just exited may hold it a moment longer. */
async function unmount(): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      execFileSync("umount", [mountPoint], { stdio: "ignore" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  execFileSync("umount", ["-l", mountPoint], { stdio: "ignore" });
}

/** Writes until the file system has no space left. */
function fillTheDisk(): void {
  const descriptor = openSync(filler, "w");
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(descriptor, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOSPC") throw error;
  } finally {
    closeSync(descriptor);
  }
}

describe.runIf(mounted)("a full disk under SQLite", () => {
  beforeAll(async () => {
    server = await startServer({
      store: { engine: "sqlite", dataDir, env: { COGNO_DATA_DIR: dataDir }, cleanup: async () => {} },
    });
  });

  it("regression: a full disk was logged as 1,099 rollback failures, /readyz stayed 200 and the log never shrank; now 503s, one clear line, not ready, and a truncated log once space is back", async () => {
    const running = server as RunningServer;
    const owner = await signUpWithWorkspace(running.url);
    const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    expect((await owner.client.post(keysPath, { name: "before" })).status).toBe(201);
    const logFrom = running.output().length;

    fillTheDisk();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      outcomes.push(outcome(await owner.client.post(keysPath, { name: `while-full-${attempt}` })));
      outcomes.push(
        outcome(
          await new ApiClient(running.url).post("/api/v1/auth/signup", {
            email: `full.${attempt}.${Date.now()}@example.com`,
            password: "long enough password",
            name: "Full",
          }),
        ),
      );
    }
    expect(new Set(outcomes)).toEqual(new Set(["503 service_unavailable retry-after"]));
    // Reads do not need the disk.
    expect((await owner.client.get(keysPath)).status).toBe(200);
    const ready = await new ApiClient(running.url).get("/readyz");
    expect(outcome(ready)).toBe("503 service_unavailable retry-after");
    expect(bodyOf(ready, errorBodySchema).error.message).toMatch(/^Not ready: cannot write/);

    const logged = running.output().slice(logFrom);
    expect(logged).not.toContain("cannot rollback");
    const errorLines = logged.split("\n").filter((line) => line.includes('"level":50'));
    console.info(
      `while the disk was full: ${outcomes.length} writes refused, ${errorLines.length} error line(s)`,
    );
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain("database or disk is full");

    unlinkSync(filler);
    await waitFor(
      async () => (await new ApiClient(running.url).get("/readyz")).status,
      (status) => status === 200,
    );
    const wal = path.join(dataDir, "cogno.sqlite-wal");
    const walBytes = await waitFor(
      async () => statSync(wal).size,
      (size) => size === 0,
    );
    console.info(`write-ahead log after recovery: ${walBytes} bytes`);
    await waitFor(
      async () => running.output().slice(logFrom),
      (text) => text.includes("the database serves again"),
    );
    expect((await owner.client.post(keysPath, { name: "after" })).status).toBe(201);
    expect(running.process.exitCode).toBeNull();
  });
});
