import { chmod, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { createTemporaryConfigDir } from "../testing/run-cli.ts";
import {
  credentialsPathOf,
  readCredentials,
  removeCredentials,
  type StoredCredentials,
  saveCredentials,
} from "./store.ts";

function sampleCredentials(key = generateApiKey()): StoredCredentials {
  return {
    server: "http://127.0.0.1:8080",
    key,
    workspace: { id: "wsp_1", name: "Acme" },
    apiKey: { id: "key_1", name: "alice-macbook-worker", prefix: key.slice(0, 17) },
    savedAt: "2026-06-01T12:00:00.000Z",
  };
}

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe("credentials store", () => {
  it("creates the directory 0700 and the file 0600, and reads back what it wrote", async () => {
    const dir = await createTemporaryConfigDir();
    const credentials = sampleCredentials();
    await saveCredentials(dir, credentials);
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(credentialsPathOf(dir))).toBe(0o600);
    expect(await readCredentials(dir)).toEqual({ state: "present", credentials });
  });

  it("tightens a config directory that already exists with wider permissions", async () => {
    const dir = await createTemporaryConfigDir();
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await saveCredentials(dir, sampleCredentials());
    expect(await modeOf(dir)).toBe(0o700);
  });

  it("replaces the file atomically: a concurrent reader only ever sees a whole old or whole new file", async () => {
    const dir = await createTemporaryConfigDir();
    // Large files make a torn, non-atomic write (truncate, then write) visible to the reader.
    const big = (marker: string): StoredCredentials => ({
      ...sampleCredentials(),
      workspace: { id: marker, name: marker.repeat(200_000) },
    });
    await saveCredentials(dir, big("a"));
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (writing) {
        const result = await readCredentials(dir);
        expect(result.state).toBe("present");
        if (result.state === "present") seen.add(result.credentials.workspace.id);
      }
    })();
    for (let round = 0; round < 20; round += 1) await saveCredentials(dir, big(round % 2 === 0 ? "b" : "a"));
    writing = false;
    await reader;
    expect(seen.size).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual(["credentials.json"]);
  });

  it("leaves no temporary file behind and the target as it was when the rename fails", async () => {
    const dir = await createTemporaryConfigDir();
    // A non-empty directory where the file should go makes rename() fail after the temp file is written.
    await mkdir(`${credentialsPathOf(dir)}/blocker`, { recursive: true });
    await expect(saveCredentials(dir, sampleCredentials())).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["credentials.json"]);
    expect(await readdir(credentialsPathOf(dir))).toEqual(["blocker"]);
  });

  it("reports a missing file and a corrupt file apart", async () => {
    const dir = await createTemporaryConfigDir();
    expect(await readCredentials(dir)).toEqual({ state: "missing" });
    await mkdir(dirname(credentialsPathOf(dir)), { recursive: true });
    await writeFile(credentialsPathOf(dir), '{"server": 1}');
    expect(await readCredentials(dir)).toEqual({ state: "corrupt", path: credentialsPathOf(dir) });
  });

  it("removes the file on logout and says whether there was one", async () => {
    const dir = await createTemporaryConfigDir();
    expect(await removeCredentials(dir)).toBe(false);
    await saveCredentials(dir, sampleCredentials());
    expect(await removeCredentials(dir)).toBe(true);
    expect(await readCredentials(dir)).toEqual({ state: "missing" });
  });

  it("writes the key only to credentials.json, in JSON that other tools can read", async () => {
    const dir = await createTemporaryConfigDir();
    const credentials = sampleCredentials();
    await saveCredentials(dir, credentials);
    expect(JSON.parse(await readFile(credentialsPathOf(dir), "utf8"))).toEqual(credentials);
  });
});
