/**
 * `cogno login --token <key>|-` against the real server: stores a good key (0600 in a 0700 dir) and
 * prints what it is, and refuses malformed, unknown and revoked keys with exit 3, leaving any stored
 * credentials byte-identical.
 */
import { generateApiKey } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMachine, readCredentialBytes } from "../support/machine.ts";
import { modeOf, runCli } from "./cli-process.ts";
import { type CliFixture, KEY_REFUSED, startCliFixture } from "./fixture.ts";

let fixture: CliFixture;

beforeAll(async () => {
  fixture = await startCliFixture();
});

afterAll(async () => {
  await fixture?.close();
});

describe("cogno login", () => {
  it("stores a good key and prints workspace, key name, prefix and the next step, never the key", async () => {
    const machine = await createMachine();
    const { key, apiKey } = await fixture.createKey("alice-macbook-worker");
    const run = await runCli(machine, ["login", "--token", key, "--server", fixture.server.url]);
    expect(run.code).toBe(0);
    expect(run.output).toContain("Owner's workspace");
    expect(run.output).toContain("alice-macbook-worker");
    expect(run.output).toContain(`${apiKey.prefix}…`);
    expect(run.output).toContain("run cogno");
    expect(run.output).not.toContain(key.slice(17));
    expect(await modeOf(machine.credentialsPath)).toBe(0o600);
    expect(await modeOf(`${machine.configHome}/cogno`)).toBe(0o700);
  });

  it("reads the key from standard input with --token -, keeping it out of the process list", async () => {
    const machine = await createMachine();
    const { key } = await fixture.createKey("stdin-worker");
    const run = await runCli(machine, ["login", "--token", "-", "--server", fixture.server.url], {
      stdin: `${key}\n`,
    });
    expect(run.code).toBe(0);
    expect((await readCredentialBytes(machine))?.toString()).toContain(key);
  });

  const refusals: [string, (good: string) => Promise<string>, RegExp][] = [
    [
      "malformed (mistyped checksum)",
      async (good) => `${good.slice(0, -1)}${good.endsWith("A") ? "B" : "A"}`,
      /checksum/,
    ],
    ["malformed (truncated)", async (good) => good.slice(0, 30), /cut off/],
    [
      "invalid (well-formed, unknown)",
      // Well-formed with a valid checksum, but never created on this server.
      async () => generateApiKey(),
      /no such key/i,
    ],
    [
      "revoked",
      async () => {
        const { key, apiKey } = await fixture.createKey("revoked-before-login");
        expect((await fixture.revokeKey(apiKey.id)).status).toBe(200);
        return key;
      },
      /revoked/,
    ],
  ];

  it.each(refusals)(
    "refuses a key that is %s with exit 3 and leaves stored credentials byte-identical",
    async (_label, makeKey, message) => {
      const machine = await createMachine();
      const { key: good } = await fixture.createKey("kept-worker");
      expect((await runCli(machine, ["login", "--token", good, "--server", fixture.server.url])).code).toBe(
        0,
      );
      const before = await readCredentialBytes(machine);

      const bad = await makeKey(good);
      const run = await runCli(machine, ["login", "--token", bad, "--server", fixture.server.url]);
      expect(run.code).toBe(KEY_REFUSED);
      expect(run.output).toMatch(message);
      expect(run.output).not.toContain(bad.slice(17));
      expect(await readCredentialBytes(machine)).toEqual(before);
    },
  );

  it("status --json prints one object a script can read, before and after the key is revoked", async () => {
    const machine = await createMachine();
    const { key, apiKey } = await fixture.createKey("json-status-worker");
    await runCli(machine, ["login", "--token", key, "--server", fixture.server.url]);
    const accepted = await runCli(machine, ["status", "--json"]);
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.output)).toEqual({
      server: fixture.server.url,
      workspace: { id: fixture.owner.workspaceId, name: "Owner's workspace" },
      key: { name: "json-status-worker", prefix: `${apiKey.prefix}…`, source: "credentials.json" },
      accepted: true,
      reason: null,
      worker: null,
    });
    await fixture.revokeKey(apiKey.id);
    const refused = await runCli(machine, ["status", "--json"]);
    expect(refused.code).toBe(KEY_REFUSED);
    // Standard error follows with the explanation; the object is the one line that is JSON.
    const line = refused.output.split("\n").find((text) => text.startsWith("{"));
    expect(JSON.parse(line ?? "")).toMatchObject({ accepted: false, reason: { code: "api_key_revoked" } });
    expect(refused.output).not.toContain(key.slice(17));
  });

  it("status tells whether the server accepts the stored key now, and exits 3 once it is revoked", async () => {
    const machine = await createMachine();
    const { key, apiKey } = await fixture.createKey("status-worker");
    await runCli(machine, ["login", "--token", key, "--server", fixture.server.url]);
    const accepted = await runCli(machine, ["status"]);
    expect(accepted.code).toBe(0);
    expect(accepted.output).toContain("accepted");
    await fixture.revokeKey(apiKey.id);
    const refused = await runCli(machine, ["status"]);
    expect(refused.code).toBe(KEY_REFUSED);
    expect(refused.output).toContain("api_key_revoked");

    // What a user pastes into an assistant next: the five items, the revocation, and no secret.
    const handoff = await runCli(machine, ["handoff"]);
    expect(handoff.code).toBe(0);
    expect(handoff.output).toContain("1. **Workspace:** Owner's workspace");
    expect(handoff.output).toContain(`"status-worker", prefix \`${apiKey.prefix}…\``);
    expect(handoff.output).toContain("3. **Command run:** `cogno status`");
    expect(handoff.output).toContain("Key state: refused (api_key_revoked)");
    expect(handoff.output).toContain("5. **Key history:** Revoked.");
    expect(handoff.output).not.toContain(key.slice(17));
  });
});
