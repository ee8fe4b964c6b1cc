import { generateApiKey } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { saveWorkerRecord } from "../daemon/worker-record.ts";
import { FAKE_WHOAMI, type FakeServer, startFakeServer } from "../testing/fake-server.ts";
import { createTemporaryConfigDir, createTestConfig, runCli } from "../testing/run-cli.ts";
import type { StatusReport } from "./status.ts";

function parseReport(stdout: string): StatusReport {
  // One object, on one line, and nothing else on standard output.
  expect(stdout.endsWith("\n")).toBe(true);
  expect(stdout.trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(stdout);
}

describe("cogno status --json", () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("prints server, workspace, key name and prefix, acceptance and the worker id, never the key", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    const config = createTestConfig(dir);
    await runCli(["login", "--token", key, "--server", server.url], config);
    await saveWorkerRecord(dir, {
      workerId: "wkr_1",
      server: server.url,
      registeredAt: "2026-06-01T11:00:00.000Z",
    });
    const run = await runCli(["status", "--json"], config);
    expect(run.code).toBe(0);
    expect(parseReport(run.stdout)).toEqual({
      server: server.url,
      workspace: FAKE_WHOAMI.workspace,
      key: { name: FAKE_WHOAMI.apiKey.name, prefix: `${key.slice(0, 17)}…`, source: "credentials.json" },
      accepted: true,
      reason: null,
      worker: { id: "wkr_1", registeredAt: "2026-06-01T11:00:00.000Z" },
    });
    expect(run.stdout + run.stderr).not.toContain(key.slice(17));
  });

  it("says why the server refuses the key, and exits 3", async () => {
    const dir = await createTemporaryConfigDir();
    const config = createTestConfig(dir);
    await runCli(["login", "--token", generateApiKey(), "--server", server.url], config);
    server.answerWhoami = () => ({
      status: 401,
      body: { error: { code: "api_key_revoked", message: "This key was revoked." } },
    });
    const run = await runCli(["status", "--json"], config);
    expect(run.code).toBe(3);
    const report = parseReport(run.stdout);
    expect(report.accepted).toBe(false);
    expect(report.reason).toEqual({ code: "api_key_revoked", message: "This key was revoked." });
    // What is known from the login is still reported.
    expect(report.workspace).toEqual(FAKE_WHOAMI.workspace);
    expect(report.worker).toBeNull();
  });

  it("reports a server that does not answer as not checked, exit 1", async () => {
    const dir = await createTemporaryConfigDir();
    const url = server.url;
    await server.close();
    const run = await runCli(
      ["status", "--json"],
      createTestConfig(dir, { envToken: generateApiKey(), envServer: url }),
    );
    expect(run.code).toBe(1);
    const report = parseReport(run.stdout);
    expect(report.accepted).toBeNull();
    expect(report.reason?.code).toBe("unreachable");
    expect(report.reason?.message).toContain("connection refused");
    expect(report.key?.source).toBe("COGNO_TOKEN");
  });

  it.each([
    ["not logged in", {}, "not_logged_in", null, 1],
    ["a malformed COGNO_TOKEN", { envToken: "cogno_wk_nope" }, "api_key_malformed", false, 3],
  ] as const)("still prints one object when %s", async (_label, overrides, code, accepted, exit) => {
    const run = await runCli(
      ["status", "--json"],
      createTestConfig(await createTemporaryConfigDir(), overrides),
    );
    expect(run.code).toBe(exit);
    const report = parseReport(run.stdout);
    expect(report).toMatchObject({ server: "http://127.0.0.1:8080", key: null, accepted, worker: null });
    expect(report.reason?.code).toBe(code);
  });

  it("documents every field in its help text", async () => {
    const run = await runCli(["status", "--help"], createTestConfig(await createTemporaryConfigDir()));
    expect(run.code).toBe(0);
    const fields: (keyof StatusReport)[] = ["server", "workspace", "key", "accepted", "reason", "worker"];
    for (const field of fields) expect(run.stdout).toMatch(new RegExp(`^ {2}${field} +\\S`, "m"));
  });
});
