import { generateApiKey } from "@cogno/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTemporaryConfigDir, createTestConfig, runCli } from "../testing/run-cli.ts";
import { createOutput, formatTimestamp } from "./output.ts";

function hasControlCharacter(text: string): boolean {
  return [...text].some((character) => {
    const code = character.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
}

function captureOutput() {
  const written: string[] = [];
  const seen: string[] = [];
  const output = createOutput({
    writeStdout: (text) => written.push(text),
    writeStderr: (text) => written.push(text),
    now: () => new Date("2026-06-01T12:34:56.789Z"),
    onLine: (line) => seen.push(line),
  });
  return { output, written, seen };
}

describe("output", () => {
  it("redacts a key in every line of every kind of output, and in what the activity log sees", () => {
    const { output, written, seen } = captureOutput();
    const [a, b, c] = [generateApiKey(), generateApiKey(), generateApiKey()];
    output.info(`first ${a}\nsecond ${b}`);
    output.state(`state ${c}`);
    output.error(`error ${a}${b}`);
    const all = written.join("") + seen.join("\n");
    for (const key of [a, b, c]) expect(all).not.toContain(key.slice(17));
    expect(written.join("")).toContain(`first ${a.slice(0, 17)}…\n`);
    expect(seen).toHaveLength(4);
  });

  it("escapes control characters in every line, so outside text cannot drive the terminal", () => {
    const { output, written, seen } = captureOutput();
    output.info("title \u001b]0;owned\u0007 clip \u001b]52;c;ZXZpbA==\u0007 clear \u009b2J cr\rback");
    output.error("two\nlines");
    expect(written).toEqual([
      "title \\u001b]0;owned\\u0007 clip \\u001b]52;c;ZXZpbA==\\u0007 clear \\u009b2J cr\\u000dback\n",
      "two\n",
      "lines\n",
    ]);
    expect(hasControlCharacter(seen[0] ?? "")).toBe(false);
  });

  it("escapes an argument echoed back in an error (it printed it raw)", async () => {
    const run = await runCli(
      ["\u001b]52;c;ZXZpbA==\u0007"],
      createTestConfig(await createTemporaryConfigDir()),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("\\u001b]52;c;ZXZpbA==\\u0007");
    expect(run.stderr).not.toContain("\u001b");
  });

  it("stamps state lines with the time in UTC", () => {
    const { output, written } = captureOutput();
    output.state("connecting");
    expect(written).toEqual(["2026-06-01T12:34:56Z connecting\n"]);
    expect(formatTimestamp(new Date(0))).toBe("1970-01-01T00:00:00Z");
  });

  it("never prints a key that reaches the CLI through any argument", async () => {
    const dir = await createTemporaryConfigDir();
    const config = createTestConfig(dir, { envServer: "http://127.0.0.1:9" });
    // Each of these echoes its argument back in an error message (commander or our own).
    const shapes = (key: string): string[][] => [
      [key],
      ["login", "--token", key, "--server", `http://${key}.invalid`],
      ["login", "--token", `${key}x`],
      [`--${key}`],
      ["status", key],
      ["run", "--name", key.repeat(3)],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2, 3, 4, 5), async (index) => {
        const key = generateApiKey();
        const args = shapes(key)[index] ?? [];
        const run = await runCli(args, config);
        // Lower-cased too: a URL parser lower-cases a host name before it reaches an error message.
        expect((run.stdout + run.stderr).toLowerCase()).not.toContain(key.slice(17, 30).toLowerCase());
      }),
      { numRuns: 12 },
    );
  });
});
