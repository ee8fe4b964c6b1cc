import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { generateApiKey, type RevokedReason } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliConfig } from "../config.ts";
import { acquireDaemonLock, daemonLockPathOf, readProcessStart } from "../daemon/daemon-lock.ts";
import { type FakeConnection, type FakeServer, startFakeServer } from "../testing/fake-server.ts";
import { type CliRun, createTemporaryConfigDir, createTestConfig, runCli } from "../testing/run-cli.ts";

describe("the worker daemon (cogno run)", () => {
  let server: FakeServer;
  let stop: AbortController;
  const key = generateApiKey();
  const apiKey = { id: "key_test", name: "test-laptop-worker", prefix: key.slice(0, 17) };

  beforeEach(async () => {
    server = await startFakeServer();
    stop = new AbortController();
  });
  afterEach(async () => {
    stop.abort();
    await server.close();
  });

  async function loggedIn(): Promise<CliConfig> {
    const config = createTestConfig(await createTemporaryConfigDir());
    const login = await runCli(["login", "--token", key, "--server", server.url], config);
    expect(login.code).toBe(0);
    return config;
  }

  /** Starts the daemon in-process and answers its register; `run` ends when the daemon does. */
  async function startWorker(
    config: CliConfig,
    index = 0,
  ): Promise<{ run: Promise<CliRun>; connection: FakeConnection }> {
    const run = runCli([], config, { createStopSignal: () => stop.signal });
    const connection = await server.waitForConnection(index);
    await connection.nextMessage();
    connection.socket.send(
      JSON.stringify({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 60_000 }),
    );
    return { run, connection };
  }

  it("stopped from the web app: prints who stopped it, exits 0 and does not reconnect", async () => {
    const { run, connection } = await startWorker(await loggedIn());
    connection.socket.send(JSON.stringify({ type: "disconnected", by: { id: "usr_1", name: "Alice" } }));
    connection.socket.close(4002, "stopped");
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Z stopped from the web app by Alice\n/);
    expect(result.stdout).toContain("run cogno again");
    expect(result.stdout).not.toContain("reconnecting");
    expect(server.upgradeAttempts).toBe(1);
  });

  it("prints the name of whoever stopped it with control characters escaped, on one line", async () => {
    const { run, connection } = await startWorker(await loggedIn());
    connection.socket.send(
      JSON.stringify({
        type: "disconnected",
        by: { id: "usr_1", name: "Eve\u001b]0;x\u0007\n2026-06-01T12:00:00Z registered" },
      }),
    );
    const result = await run;
    expect(result.stdout).toContain(
      "stopped from the web app by Eve\\u001b]0;x\\u0007\\u000a2026-06-01T12:00:00Z registered\n",
    );
    expect(result.stdout).not.toContain("\u001b");
  });

  it("close 4002 alone is a stop from the web app too, exit 0", async () => {
    const { run, connection } = await startWorker(await loggedIn());
    connection.socket.close(4002, "stopped");
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Z stopped from the web app\n/);
    expect(server.upgradeAttempts).toBe(1);
  });

  const reasons: [RevokedReason, RegExp, RegExp][] = [
    [
      "revoked",
      /was refused: it was revoked\./,
      /Create a new key in Settings > API Keys, then run: cogno login --token <key>/,
    ],
    ["expired", /was refused: it expired\./, /Create a new key/],
    ["rolled", /was refused: this key was replaced/, /run: cogno login --token <the new key>/i],
    ["leaked", /was refused: it was reported leaked/, /Keep the new key out of repositories/],
    ["member_removed", /was refused: its owner was removed from the workspace/, /key of a current member/],
  ];
  it.each(reasons)("revoked because %s: says why and what to do, exits 3", async (reason, why, next) => {
    const { run, connection } = await startWorker(await loggedIn());
    connection.socket.send(JSON.stringify({ type: "revoked", apiKey, reason }));
    connection.socket.close(4001, "api key revoked");
    const result = await run;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`revoked: key ${apiKey.prefix}… ("${apiKey.name}")`);
    expect(result.stderr).toMatch(why);
    expect(result.stderr).toMatch(next);
    expect(server.upgradeAttempts).toBe(1);
  });

  it("after a rotation whose restart was skipped, says to restart, not to create a new key (it did)", async () => {
    const config = await loggedIn();
    const { run, connection } = await startWorker(config);
    // Steps 1-2 of the rotation: a new key is installed; step 3 (restart) is skipped.
    const newKey = generateApiKey();
    expect((await runCli(["login", "--token", newKey], config)).code).toBe(0);
    // Step 5: the old key is revoked under the running daemon.
    connection.socket.send(JSON.stringify({ type: "revoked", apiKey, reason: "revoked" }));
    const result = await run;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `This machine already has a newer key (${newKey.slice(0, 17)}… ("test-laptop-worker"), saved 2026-06-01T12:00:00.000Z) and the server accepts it: restart cogno to use the new key.`,
    );
    expect(result.stderr).not.toContain("Create a new key");
  });

  it("still says to create a new key when the stored key is the revoked one", async () => {
    const { run, connection } = await startWorker(await loggedIn());
    connection.socket.send(JSON.stringify({ type: "revoked", apiKey, reason: "revoked" }));
    const result = await run;
    expect(result.stderr).toContain("Create a new key");
    expect(result.stderr).not.toContain("restart cogno");
  });

  it("a second daemon on the same config directory refuses to start, naming the first, exit 1", async () => {
    const config = await loggedIn();
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    try {
      await once(holder, "spawn");
      const first = await acquireDaemonLock(config.configDir, {
        pid: holder.pid ?? 0,
        startedAt: "2026-06-01T11:00:00.000Z",
        hostname: config.hostname,
        processStart: await readProcessStart(holder.pid ?? 0),
      });
      expect(first.kind).toBe("acquired");
      const result = await runCli([], config, { createStopSignal: () => stop.signal });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `Another cogno worker is already running from ${config.configDir}: pid ${holder.pid}, started 2026-06-01T11:00:00.000Z.`,
      );
      expect(server.upgradeAttempts).toBe(0);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("takes over the lock of a daemon that died without releasing it, and releases it on exit", async () => {
    const config = await loggedIn();
    await mkdir(config.configDir, { recursive: true });
    await writeFile(
      daemonLockPathOf(config.configDir),
      JSON.stringify({ pid: 999_999_999, startedAt: "2026-05-01T00:00:00.000Z", hostname: config.hostname }),
    );
    const { run, connection } = await startWorker(config);
    connection.socket.close(4002, "stopped");
    expect((await run).code).toBe(0);
    expect(await readFile(daemonLockPathOf(config.configDir), "utf8").catch(() => "gone")).toBe("gone");
  });

  it("ends a server's message with one period, not two (…replaced this connection..)", async () => {
    const { run, connection } = await startWorker(await loggedIn());
    connection.socket.send(
      JSON.stringify({
        type: "error",
        error: { code: "conflict", message: "Another cogno daemon replaced this connection." },
      }),
    );
    connection.socket.close(4000, "conflict");
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "The server closed the connection: Another cogno daemon replaced this connection.\n",
    );
    expect(result.stderr).not.toContain("..");
  });
});
