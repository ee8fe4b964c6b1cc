/**
 * `cogno-server backup <file>` copies the SQLite database while the server runs and serves: under
 * a steady stream of key creations, every key acknowledged before the backup began is in the copy,
 * and a server started on the copy serves them.
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { apiKeysResponseSchema, createApiKeyResponseSchema, errorBodySchema } from "@cogno/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, bearer, bodyOf, signUpWithWorkspace } from "../support/api.ts";
import { SERVER_BIN } from "../support/paths.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";

const running: RunningServer[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const server of running) await server.stop();
  for (const cleanup of cleanups) await cleanup();
});

function runBackup(env: Record<string, string>, ...args: string[]) {
  const child = spawn(process.execPath, [SERVER_BIN, "backup", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, output })),
  );
}

describe.runIf(TEST_ENGINE === "sqlite")("online backup", () => {
  it("copies the database under write load; a server on the copy has every key acknowledged before it began", async () => {
    const store: TestStore = await createTestStore("sqlite");
    cleanups.push(store.cleanup);
    const server = await startServer({ store });
    running.push(server);
    const owner = await signUpWithWorkspace(server.url);
    const member = { client: owner.client, workspaceId: owner.workspaceId };

    // A steady stream of writes, before and during the backup. Keys are spread over users' limits
    // by revoking as we go: every acknowledged create is recorded with its raw key.
    const acknowledged: { id: string; key: string; at: number }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const created = await member.client.post(`/api/v1/workspaces/${member.workspaceId}/api-keys`, {
          name: `load-${i}`,
        });
        if (created.status === 201) {
          const { apiKey, key } = bodyOf(created, createApiKeyResponseSchema);
          acknowledged.push({ id: apiKey.id, key, at: Date.now() });
          await member.client.delete(`/api/v1/workspaces/${member.workspaceId}/api-keys/${apiKey.id}`);
        }
      }
    })();
    while (acknowledged.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));

    const backupDir = await mkdtemp(path.join(tmpdir(), "cogno-backup-"));
    cleanups.push(() => rm(backupDir, { recursive: true, force: true }));
    const file = path.join(backupDir, "cogno.sqlite");
    const startedAt = Date.now();
    const backup = await runBackup(store.env, file);
    writing = false;
    await writer;
    expect(backup.output).toContain("while the server ran");
    expect(backup.code, backup.output).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The server kept serving throughout.
    expect((await owner.client.get("/api/v1/me")).status).toBe(200);

    const restoredDir = await mkdtemp(path.join(tmpdir(), "cogno-restored-"));
    cleanups.push(() => rm(restoredDir, { recursive: true, force: true }));
    await cp(file, path.join(restoredDir, "cogno.sqlite"));
    const restored = await startServer({
      store: { ...store, dataDir: restoredDir, env: { COGNO_DATA_DIR: restoredDir } },
    });
    running.push(restored);
    const client = new ApiClient(restored.url);
    expect(
      (await client.post("/api/v1/auth/login", { email: owner.user.email, password: owner.password })).status,
    ).toBe(200);
    const listed = await client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys?state=all&limit=500`);
    const ids = new Set(bodyOf(listed, apiKeysResponseSchema).apiKeys.map((apiKey) => apiKey.id));
    const before = acknowledged.filter((entry) => entry.at < startedAt);
    expect(before.length).toBeGreaterThanOrEqual(20);
    for (const entry of before) expect(ids.has(entry.id), entry.id).toBe(true);
    // A key restored from the copy is recognised (here: revoked, as it was when copied).
    const sample = before[0];
    if (sample) {
      const whoami = await client.request("GET", "/api/v1/worker/whoami", undefined, bearer(sample.key));
      expect(bodyOf(whoami, errorBodySchema).error.code).toBe("api_key_revoked");
    }
  });

  it("copies a data directory no server is running on, and refuses bad usage and PostgreSQL clearly", async () => {
    const store = await createTestStore("sqlite");
    cleanups.push(store.cleanup);
    const server = await startServer({ store });
    const owner = await signUpWithWorkspace(server.url);
    await server.stop();
    const file = path.join(store.dataDir, "offline-copy.sqlite");
    const offline = await runBackup(store.env, file);
    expect(offline.code, offline.output).toBe(0);
    const restarted = await startServer({ store: { ...store, env: { COGNO_DATA_DIR: store.dataDir } } });
    running.push(restarted);
    expect(
      (
        await new ApiClient(restarted.url).post("/api/v1/auth/login", {
          email: owner.user.email,
          password: owner.password,
        })
      ).status,
    ).toBe(200);

    const usage = await runBackup(store.env);
    expect(usage.code).toBe(2);
    expect(usage.output).toContain("usage: cogno-server backup <file>");
    const postgres = await runBackup(
      { ...store.env, COGNO_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" },
      file,
    );
    expect(postgres.code).toBe(2);
    expect(postgres.output).toContain("pg_dump");
  });
});
