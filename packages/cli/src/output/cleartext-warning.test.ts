import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { saveCredentials } from "../credentials/store.ts";
import { createTemporaryConfigDir, createTestConfig, runCli } from "../testing/run-cli.ts";
import { isLoopbackHost, sendsKeyInClear } from "./cleartext-warning.ts";

const WARNING = /Warning: http:\/\/cogno\.invalid is plain http:\/\/ on another machine/g;

describe("a key sent over plain http:// beyond this machine", () => {
  it("is loopback for 127.0.0.0/8, ::1 and localhost only", () => {
    for (const server of [
      "http://127.0.0.1:8080",
      "http://127.255.3.4",
      "http://127.1",
      "http://localhost:8080",
      "http://LOCALHOST",
      "http://[::1]:8080",
      "http://[0:0:0:0:0:0:0:1]",
      "http://[::ffff:127.0.0.1]",
    ]) {
      expect(sendsKeyInClear(server), server).toBe(false);
    }
    for (const server of [
      "http://10.0.0.5:8080",
      "http://128.0.0.1",
      "http://cogno.example.com",
      "http://localhost.example.com",
      "http://127.0.0.1.nip.io",
      "http://[::2]",
      "http://[::ffff:10.0.0.1]",
    ]) {
      expect(sendsKeyInClear(server), server).toBe(true);
    }
    expect(sendsKeyInClear("https://cogno.example.com")).toBe(false);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
  });

  it("warns once on standard error at login, and not for https or this machine", async () => {
    const config = createTestConfig(await createTemporaryConfigDir());
    const plain = await runCli(
      ["login", "--token", generateApiKey(), "--server", "http://cogno.invalid"],
      config,
    );
    expect(plain.stderr.match(WARNING)).toHaveLength(1);
    expect(plain.stdout).not.toMatch(WARNING);
    for (const server of ["https://cogno.invalid", "http://127.0.0.1:9", "http://localhost:9"]) {
      const run = await runCli(["login", "--token", generateApiKey(), "--server", server], config);
      expect(run.stderr, server).not.toContain("Warning:");
    }
  });

  it("warns once for a daemon however often it reconnects", async () => {
    const stop = new AbortController();
    let sleeps = 0;
    const run = await runCli(
      [],
      createTestConfig(await createTemporaryConfigDir(), {
        envToken: generateApiKey(),
        envServer: "http://cogno.invalid",
      }),
      {
        createStopSignal: () => stop.signal,
        sleep: async () => {
          sleeps += 1;
          if (sleeps === 3) stop.abort();
        },
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout.match(/could not reach|connection lost/g)).toHaveLength(3);
    expect(run.stderr.match(WARNING)).toHaveLength(1);
  });

  it("warns for status, handoff and logout too", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    await saveCredentials(dir, {
      server: "http://cogno.invalid",
      key,
      workspace: { id: "wsp_1", name: "Acme" },
      apiKey: { id: "key_1", name: "ci", prefix: key.slice(0, 17) },
      savedAt: "2026-06-01T12:00:00.000Z",
    });
    for (const command of ["status", "handoff", "logout"]) {
      expect((await runCli([command], createTestConfig(dir))).stderr.match(WARNING), command).toHaveLength(1);
    }
  });
});
