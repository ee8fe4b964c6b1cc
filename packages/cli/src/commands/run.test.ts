import { generateApiKey, type RevokedReason } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliConfig } from "../config.ts";
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
});
