import { readFile } from "node:fs/promises";
import { generateApiKey } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { credentialsPathOf, readCredentials } from "./credentials/store.ts";
import { shouldRecordActivity } from "./main.ts";
import { FAKE_WHOAMI, type FakeServer, startFakeServer } from "./testing/fake-server.ts";
import { createTemporaryConfigDir, createTestConfig, runCli } from "./testing/run-cli.ts";

describe("usage errors exit 2", () => {
  const cases: [string, string[]][] = [
    ["an unknown option", ["--bogus"]],
    ["an unknown command", ["deploy"]],
    ["login without --token", ["login"]],
    ["--token without a value", ["login", "--token"]],
    ["an extra argument to status", ["status", "now"]],
    ["an empty worker name", ["run", "--name", "  "]],
    ["a worker name over 100 characters", ["--name", "x".repeat(101)]],
    [
      "a server URL that is not http(s)",
      ["login", "--token", generateApiKey(), "--server", "ftp://example.com"],
    ],
  ];
  it.each(cases)("%s", async (_label, args) => {
    const dir = await createTemporaryConfigDir();
    // --name is checked before anything else, but the daemon needs a key first: give it one.
    const run = await runCli(
      args,
      createTestConfig(dir, { envToken: generateApiKey(), envServer: "http://127.0.0.1:9" }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).not.toBe("");
  });

  it("--help and --version exit 0", async () => {
    const config = createTestConfig(await createTemporaryConfigDir());
    const help = await runCli(["--help"], config);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("login");
    const version = await runCli(["--version"], config);
    expect(version).toEqual({ code: 0, stdout: "0.0.0-test\n", stderr: "" });
  });
});

describe("exit codes", () => {
  it("3 at once for a mistyped key, with what is wrong, without asking the server", async () => {
    const key = generateApiKey();
    const mistyped = `${key.slice(0, 20)}${key[20] === "a" ? "b" : "a"}${key.slice(21)}`;
    const run = await runCli(
      ["login", "--token", mistyped, "--server", "http://127.0.0.1:9"],
      createTestConfig(await createTemporaryConfigDir()),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("checksum");
  });

  it("3 for a truncated key", async () => {
    const run = await runCli(
      ["login", "--token", generateApiKey().slice(0, 40)],
      createTestConfig(await createTemporaryConfigDir()),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("cut off");
  });

  it("3 for a malformed COGNO_TOKEN, naming where the key came from", async () => {
    const run = await runCli(
      ["status"],
      createTestConfig(await createTemporaryConfigDir(), { envToken: "cogno_wk_nope" }),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("COGNO_TOKEN");
  });

  it("1 when not logged in, with the next step", async () => {
    const run = await runCli([], createTestConfig(await createTemporaryConfigDir()));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cogno login --token <key>");
  });

  it("1 when the server cannot be reached at login", async () => {
    const run = await runCli(
      ["login", "--token", generateApiKey(), "--server", "http://127.0.0.1:9"],
      createTestConfig(await createTemporaryConfigDir()),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("not changed");
  });
});

describe("login against a server", () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("stores the key and prints workspace, key name, prefix and the next step, never the key", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    const run = await runCli(["login", "--token", key, "--server", `${server.url}/`], createTestConfig(dir));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(FAKE_WHOAMI.workspace.name);
    expect(run.stdout).toContain(FAKE_WHOAMI.apiKey.name);
    expect(run.stdout).toContain(`${key.slice(0, 17)}…`);
    expect(run.stdout).toContain("run cogno");
    expect(run.stdout + run.stderr).not.toContain(key.slice(17));
    const stored = await readCredentials(dir);
    expect(stored.state === "present" && stored.credentials.key).toBe(key);
    expect(stored.state === "present" && stored.credentials.server).toBe(server.url);
  });

  it("prints names from the server with control characters escaped: no forged line, no terminal escape", async () => {
    server.answerWhoami = () => ({
      status: 200,
      body: {
        ...FAKE_WHOAMI,
        workspace: { id: "wsp_x", name: "Acme\u001b]52;c;ZXZpbA==\u0007\nNext: run evil" },
        apiKey: { ...FAKE_WHOAMI.apiKey, name: "ci\u009b2J" },
      },
    });
    const run = await runCli(
      ["login", "--token", generateApiKey(), "--server", server.url],
      createTestConfig(await createTemporaryConfigDir()),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"Acme\\u001b]52;c;ZXZpbA==\\u0007\\u000aNext: run evil"');
    expect(run.stdout).toContain('("ci\\u009b2J")');
    expect(run.stdout).not.toMatch(/^Next: run evil/m);
    expect(run.stdout).not.toContain("\u001b");
  });

  it("reads the key from standard input with --token -", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    const run = await runCli(["login", "--token", "-", "--server", server.url], createTestConfig(dir), {
      readStdinLine: async () => `${key}\n`,
    });
    expect(run.code).toBe(0);
    const stored = await readCredentials(dir);
    expect(stored.state === "present" && stored.credentials.key).toBe(key);
  });

  it.each([
    ["api_key_revoked", "This key was revoked."],
    ["api_key_invalid", "No such key."],
    ["api_key_malformed", "Malformed key."],
  ])(
    "exits 3 on %s with the server's message, leaving stored credentials byte-identical",
    async (code, message) => {
      const dir = await createTemporaryConfigDir();
      const first = await runCli(
        ["login", "--token", generateApiKey(), "--server", server.url],
        createTestConfig(dir),
      );
      expect(first.code).toBe(0);
      const before = await readFile(credentialsPathOf(dir));
      server.answerWhoami = () => ({ status: 401, body: { error: { code, message } } });
      const refused = await runCli(
        ["login", "--token", generateApiKey(), "--server", server.url],
        createTestConfig(dir),
      );
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(message);
      expect(refused.stderr).toContain("cogno login --token <key>");
      expect(await readFile(credentialsPathOf(dir))).toEqual(before);
    },
  );

  it("says a second login with another key is a rotation", async () => {
    const dir = await createTemporaryConfigDir();
    const oldKey = generateApiKey();
    await runCli(["login", "--token", oldKey, "--server", server.url], createTestConfig(dir));
    const run = await runCli(["login", "--token", generateApiKey()], createTestConfig(dir));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`replaces key ${oldKey.slice(0, 17)}…`);
  });

  it("status exits 3 when the server now refuses the stored key", async () => {
    const dir = await createTemporaryConfigDir();
    await runCli(["login", "--token", generateApiKey(), "--server", server.url], createTestConfig(dir));
    expect((await runCli(["status"], createTestConfig(dir))).code).toBe(0);
    server.answerWhoami = () => ({
      status: 401,
      body: { error: { code: "api_key_revoked", message: "This key was revoked." } },
    });
    const run = await runCli(["status"], createTestConfig(dir));
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("refused (api_key_revoked)");
    expect(run.stderr).toContain(FAKE_WHOAMI.apiKey.name);
  });

  it("logout removes the stored key and keeps the machine", async () => {
    const dir = await createTemporaryConfigDir();
    await runCli(["login", "--token", generateApiKey(), "--server", server.url], createTestConfig(dir));
    const run = await runCli(["logout"], createTestConfig(dir));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("still active");
    expect(await readCredentials(dir)).toEqual({ state: "missing" });
  });
});

describe("activity recording", () => {
  it("skips handoff, help and version, so the hand-off shows the command before it", () => {
    expect(shouldRecordActivity(["handoff"])).toBe(false);
    expect(shouldRecordActivity(["--help"])).toBe(false);
    expect(shouldRecordActivity(["login", "-h"])).toBe(false);
    expect(shouldRecordActivity(["-V"])).toBe(false);
    expect(shouldRecordActivity([])).toBe(true);
    expect(shouldRecordActivity(["login", "--token", "x"])).toBe(true);
  });
});
