import { mkdir, writeFile } from "node:fs/promises";
import { generateApiKey } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { activityLogPathOf } from "../output/activity-log.ts";
import { FAKE_WHOAMI, type FakeServer, startFakeServer } from "../testing/fake-server.ts";
import { createTemporaryConfigDir, createTestConfig, runCli } from "../testing/run-cli.ts";

describe("cogno handoff", () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("prints the five hand-off items as Markdown and no secret", async () => {
    const dir = await createTemporaryConfigDir();
    const oldKey = generateApiKey();
    const key = generateApiKey();
    const config = createTestConfig(dir);
    await runCli(["login", "--token", oldKey, "--server", server.url], config);
    await runCli(["login", "--token", key], config);
    server.answerWhoami = () => ({
      status: 401,
      body: { error: { code: "api_key_revoked", message: "Revoked." } },
    });
    await runCli(["status"], config);

    const run = await runCli(["handoff"], config);
    expect(run.code).toBe(0);
    const text = run.stdout;
    expect(text).toMatch(/^1\. \*\*Workspace:\*\* Test workspace \(`wsp_test`\)$/m);
    expect(text).toMatch(
      new RegExp(`^2\\. \\*\\*Key:\\*\\* "${FAKE_WHOAMI.apiKey.name}", prefix \`${key.slice(0, 17)}…\``, "m"),
    );
    expect(text).toMatch(/^3\. \*\*Command run:\*\* `cogno status`.*exit code 3$/m);
    expect(text).toMatch(/^4\. \*\*Worker output or error text\*\*/m);
    expect(text).toContain("Key state: refused (api_key_revoked)");
    expect(text).toMatch(/^5\. \*\*Key history:\*\* Revoked\./m);
    for (const secret of [oldKey, key]) expect(text + run.stderr).not.toContain(secret.slice(17));
  });

  it("says when this machine first saw the key refused as revoked, and when last (it called the latest the first)", async () => {
    const dir = await createTemporaryConfigDir();
    const config = createTestConfig(dir);
    await runCli(["login", "--token", generateApiKey(), "--server", server.url], config);
    server.answerWhoami = () => ({
      status: 401,
      body: { error: { code: "api_key_revoked", message: "Revoked." } },
    });
    for (const at of ["2026-06-01T09:00:00Z", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"]) {
      await runCli(["status"], config, { now: () => new Date(at) });
    }
    const run = await runCli(["handoff"], config);
    expect(run.stdout).toContain(
      "5. **Key history:** Revoked. This machine first saw it refused as revoked at 2026-06-01T09:00:00.000Z, and last at 2026-06-01T11:00:00.000Z.",
    );

    // Offline, from the records alone.
    await server.close();
    server = await startFakeServer();
    const offline = await runCli(["handoff"], createTestConfig(dir, { envServer: server.url }));
    expect(offline.stdout).toContain("first saw it refused as revoked at 2026-06-01T09:00:00.000Z");
  });

  it("says the key was rotated on this machine, naming the old prefix", async () => {
    const dir = await createTemporaryConfigDir();
    const oldKey = generateApiKey();
    const config = createTestConfig(dir);
    await runCli(["login", "--token", oldKey, "--server", server.url], config);
    await runCli(["login", "--token", generateApiKey()], config);
    const run = await runCli(["handoff"], config);
    expect(run.stdout).toMatch(
      new RegExp(
        `^5\\. \\*\\*Key history:\\*\\* Rotated on this machine .* replaced key ${oldKey.slice(0, 17)}…`,
        "m",
      ),
    );
    expect(run.stdout).toContain("The server accepts the key now.");
    expect(run.stdout).toContain("`cogno login --token ");
  });

  it("redacts a key that reached the log file by hand, and works with no server and no login", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    await mkdir(dir, { recursive: true });
    await writeFile(
      activityLogPathOf(dir),
      JSON.stringify({
        command: `cogno login --token ${key}`,
        startedAt: "2026-01-01T00:00:00Z",
        lines: [`got ${key}`],
      }),
    );
    const run = await runCli(["handoff"], createTestConfig(dir));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(key.slice(17));
    expect(run.stdout).toContain("1. **Workspace:** unknown");
    expect(run.stdout).toContain("5. **Key history:** No key is set up on this machine.");
  });
});
