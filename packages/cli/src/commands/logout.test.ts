import { generateApiKey } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCredentials } from "../credentials/store.ts";
import { type FakeServer, startFakeServer } from "../testing/fake-server.ts";
import { createTemporaryConfigDir, createTestConfig, runCli } from "../testing/run-cli.ts";

describe("cogno logout says what the server says about the key", () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  async function loggedInDir(): Promise<string> {
    const dir = await createTemporaryConfigDir();
    await runCli(["login", "--token", generateApiKey(), "--server", server.url], createTestConfig(dir));
    return dir;
  }

  it("calls a revoked key revoked, not still active (it did)", async () => {
    const dir = await loggedInDir();
    server.answerWhoami = () => ({
      status: 401,
      body: { error: { code: "api_key_revoked", message: "This key was revoked." } },
    });
    const run = await runCli(["logout"], createTestConfig(dir));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("already revoked");
    expect(run.stdout).not.toContain("still active");
    expect(await readCredentials(dir)).toEqual({ state: "missing" });
  });

  it("says still active only when the server accepts the key", async () => {
    const run = await runCli(["logout"], createTestConfig(await loggedInDir()));
    expect(run.stdout).toContain("The key is still active on the server.");
  });

  it("says unknown when the server cannot be asked, and still logs out", async () => {
    const dir = await loggedInDir();
    await server.close();
    const run = await runCli(["logout"], createTestConfig(dir));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Whether the key is still active is unknown: could not reach");
    expect(run.stdout).not.toContain("still active on the server");
    expect(await readCredentials(dir)).toEqual({ state: "missing" });
    server = await startFakeServer();
  });
});
