import { readFile } from "node:fs/promises";
import { type DeviceToken, generateApiKey } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { credentialsPathOf, readCredentials } from "../credentials/store.ts";
import {
  deviceError,
  FAKE_USER_CODE,
  type FakeServer,
  fakeDeviceAuthorization,
  startFakeServer,
} from "../testing/fake-server.ts";
import { type CliRun, createTemporaryConfigDir, createTestConfig, runCli } from "../testing/run-cli.ts";
import { chooseClientName } from "./login.ts";

function grantedToken(key: string): DeviceToken {
  return {
    key,
    apiKey: {
      id: "key_device",
      name: "test-host",
      prefix: key.slice(0, 17),
      scope: "worker",
      createdAt: "2026-06-01T12:00:00.000Z",
      lastUsedAt: null,
      lastUsedIp: null,
      expiresAt: null,
      revokedAt: null,
      revokedReason: null,
      owner: { id: "usr_alice", email: "alice@example.com", name: "Alice" },
    },
    workspace: { id: "wsp_device", name: "Device workspace" },
  };
}

describe("cogno login without --token (browser login, RFC 8628)", () => {
  let server: FakeServer;
  let sleeps: number[];
  let opened: string[];
  let stop: AbortController;
  beforeEach(async () => {
    server = await startFakeServer();
    sleeps = [];
    opened = [];
    stop = new AbortController();
  });
  afterEach(async () => {
    await server.close();
  });

  async function loginAtTerminal(
    dir: string,
    options: { openBrowser?: (url: string) => Promise<boolean> } = {},
  ): Promise<CliRun> {
    return runCli(["login", "--server", server.url], createTestConfig(dir), {
      stdinIsTerminal: true,
      createStopSignal: () => stop.signal,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      openBrowser:
        options.openBrowser ??
        (async (url) => {
          opened.push(url);
          return true;
        }),
    });
  }

  it("shows the page and the code, opens the browser, polls at the interval, and stores the key as --token does", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    const answers = [
      deviceError("authorization_pending"),
      deviceError("slow_down"),
      deviceError("authorization_pending"),
    ];
    server.answerDeviceToken = (_body, poll) => answers[poll] ?? { status: 200, body: grantedToken(key) };
    const run = await loginAtTerminal(dir);
    expect(run.code, run.stderr).toBe(0);
    const authorization = fakeDeviceAuthorization(server.url);

    // The machine asks under its hostname, then polls with the device code it was given.
    expect(server.deviceRequests[0]).toEqual({ path: "authorize", body: { clientName: "test-host" } });
    expect(server.deviceRequests.slice(1)).toEqual(
      Array.from({ length: 4 }, () => ({ path: "token", body: { deviceCode: authorization.deviceCode } })),
    );
    expect(run.stdout).toContain(authorization.verificationUriComplete);
    expect(run.stdout).toContain(FAKE_USER_CODE);
    expect(opened).toEqual([authorization.verificationUriComplete]);
    // Every 5 s, and 5 s longer after slow_down (RFC 8628 §3.5).
    expect(sleeps).toEqual([5_000, 5_000, 10_000, 10_000]);

    expect(run.stdout).toContain('Logged in to workspace "Device workspace" (wsp_device)');
    expect(run.stdout).toContain(`Key: ${key.slice(0, 17)}… ("test-host")`);
    expect(run.stdout + run.stderr).not.toContain(key.slice(17));
    expect(await readCredentials(dir)).toEqual({
      state: "present",
      credentials: {
        server: server.url,
        key,
        workspace: { id: "wsp_device", name: "Device workspace" },
        apiKey: { id: "key_device", name: "test-host", prefix: key.slice(0, 17) },
        savedAt: "2026-06-01T12:00:00.000Z",
      },
    });
  });

  it("works without a browser opener: the page's address is printed either way", async () => {
    const dir = await createTemporaryConfigDir();
    server.answerDeviceToken = () => ({ status: 200, body: grantedToken(generateApiKey()) });
    const run = await loginAtTerminal(dir, { openBrowser: async () => false });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(fakeDeviceAuthorization(server.url).verificationUriComplete);
    expect(run.stdout).not.toContain("Opened it in your browser");
  });

  it.each([
    ["expired_token", /code expired/],
    ["access_denied", /denied in the web app/],
  ])("stops on %s with exit 1, a clear message, and nothing stored", async (code, message) => {
    const dir = await createTemporaryConfigDir();
    const first = await runCli(
      ["login", "--token", generateApiKey(), "--server", server.url],
      createTestConfig(dir),
    );
    expect(first.code).toBe(0);
    const before = await readFile(credentialsPathOf(dir));
    server.answerDeviceToken = (_body, poll) =>
      poll < 2 ? deviceError("authorization_pending") : deviceError(code);
    const run = await loginAtTerminal(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("Nothing was stored.");
    expect(await readFile(credentialsPathOf(dir))).toEqual(before);
    expect(server.deviceRequests.filter((request) => request.path === "token")).toHaveLength(3);
  });

  it("stops when the code's lifetime has passed by the local clock, even if the server never says so", async () => {
    const dir = await createTemporaryConfigDir();
    server.answerDeviceAuthorize = () => ({
      status: 200,
      body: { ...fakeDeviceAuthorization(server.url), expiresIn: 30 },
    });
    let now = Date.parse("2026-06-01T12:00:00Z");
    const run = await runCli(["login", "--server", server.url], createTestConfig(dir), {
      stdinIsTerminal: true,
      now: () => new Date(now),
      sleep: async (ms) => {
        now += ms;
      },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/code expired/);
    // 900 s at one poll every 5 s: no poll after the deadline.
    expect(server.deviceRequests.filter((request) => request.path === "token").length).toBeLessThanOrEqual(
      180,
    );
    expect(await readCredentials(dir)).toEqual({ state: "missing" });
  });

  it("Ctrl-C while waiting exits cleanly: exit 1, no further poll, nothing stored", async () => {
    const dir = await createTemporaryConfigDir();
    server.answerDeviceToken = (_body, poll) => {
      if (poll === 1) stop.abort();
      return deviceError("authorization_pending");
    };
    const run = await loginAtTerminal(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Login cancelled. Nothing was stored.");
    expect(server.deviceRequests.filter((request) => request.path === "token")).toHaveLength(2);
    expect(await readCredentials(dir)).toEqual({ state: "missing" });
  });

  it("keeps waiting through a server that is briefly unavailable, saying so once", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    server.answerDeviceToken = (_body, poll) =>
      poll < 3
        ? { status: 503, body: { error: { code: "service_unavailable", message: "Restarting." } } }
        : { status: 200, body: grantedToken(key) };
    const run = await loginAtTerminal(dir);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/Still waiting for approval/g)).toHaveLength(1);
    const stored = await readCredentials(dir);
    expect(stored.state === "present" && stored.credentials.key).toBe(key);
  });

  it("says a server without the browser login should be given a key with --token", async () => {
    const dir = await createTemporaryConfigDir();
    server.answerDeviceAuthorize = () => ({
      status: 404,
      body: { error: { code: "not_found", message: "No such route." } },
    });
    const run = await loginAtTerminal(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("does not offer browser login");
    expect(run.stderr).toContain("cogno login --token <key>");
  });

  it("never opens an approval address that is not a web page", async () => {
    const dir = await createTemporaryConfigDir();
    server.answerDeviceAuthorize = () => ({
      status: 200,
      body: { ...fakeDeviceAuthorization(server.url), verificationUriComplete: "file:///etc/passwd" },
    });
    const run = await loginAtTerminal(dir);
    expect(run.code).toBe(1);
    expect(opened).toEqual([]);
    expect(run.stderr).toContain("not a web page");
  });

  it("without a terminal and without --token: a usage error that says what to do", async () => {
    const run = await runCli(
      ["login", "--server", server.url],
      createTestConfig(await createTemporaryConfigDir()),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--token");
    expect(run.stderr).toContain("terminal");
    expect(server.deviceRequests).toEqual([]);
  });

  it("names the machine within the contract's rule: controls stripped, at most 100 characters", () => {
    expect(chooseClientName("build-01")).toBe("build-01");
    expect(chooseClientName(` ${"h".repeat(150)} `)).toBe("h".repeat(100));
    expect(chooseClientName("lap\u001btop\n")).toBe("laptop");
    expect(chooseClientName("\u0007")).toBe("cogno worker");
  });
});
