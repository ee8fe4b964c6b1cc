import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { whoamiResponseSchema } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { escapeStringsDeep, parseOutsideJson } from "./outside-json.ts";

const SOURCE_ROOT = fileURLToPath(new URL("..", import.meta.url));

async function listSourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return listSourceFiles(path);
      return Promise.resolve(entry.name.endsWith(".ts") ? [path] : []);
    }),
  );
  return nested.flat();
}

describe("reading JSON from outside", () => {
  it("parses with the schema and escapes control characters in every string, keys included", () => {
    const text = JSON.stringify({
      workspace: { id: "wsp_1", name: "Acme\u001b]0;owned\u0007\n2026-06-01T00:00:00Z ready" },
      apiKey: { id: "key_1", name: "ci\u009b2J", prefix: "cogno_wk_00000000" },
      user: { id: "usr_1", email: "a@example.com", name: "Alice\u202e" },
    });
    const parsed = parseOutsideJson(whoamiResponseSchema, text);
    expect(parsed).toEqual({
      ok: true,
      value: {
        workspace: { id: "wsp_1", name: "Acme\\u001b]0;owned\\u0007\\u000a2026-06-01T00:00:00Z ready" },
        apiKey: { id: "key_1", name: "ci\\u009b2J", prefix: "cogno_wk_00000000" },
        user: { id: "usr_1", email: "a@example.com", name: "Alice\\u202e" },
      },
    });
    expect(escapeStringsDeep({ "\u001b": ["\r"] })).toEqual({ "\\u001b": ["\\u000d"] });
  });

  it("says what did not fit instead of casting", () => {
    expect(parseOutsideJson(whoamiResponseSchema, "<html>")).toEqual({
      ok: false,
      problem: "it is not JSON",
    });
    const missingUser = parseOutsideJson(
      whoamiResponseSchema,
      JSON.stringify({ workspace: { id: "w", name: "n" }, apiKey: { id: "k", name: "n", prefix: "p" } }),
    );
    expect(missingUser.ok).toBe(false);
    expect(!missingUser.ok && missingUser.problem).toMatch(/^user: /);
    expect(parseOutsideJson(z.number(), "true")).toMatchObject({ ok: false, problem: /^the value: / });
  });

  it("is the only place the CLI parses JSON: no hand-written checks or casts of outside JSON remain", async () => {
    const offenders: string[] = [];
    for (const file of await listSourceFiles(SOURCE_ROOT)) {
      const name = relative(SOURCE_ROOT, file);
      if (name.endsWith(".test.ts") || name.startsWith("testing/") || name === "input/outside-json.ts")
        continue;
      const source = await readFile(file, "utf8");
      if (/JSON\.parse\(|\.json\(\)/.test(source)) offenders.push(name);
    }
    expect(offenders).toEqual([]);
  });
});
