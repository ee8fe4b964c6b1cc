import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { transform } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepTickObjectShape } from "./tick-objects.ts";

describe("keepTickObjectShape", () => {
  it("keeps a nextTick object: the callback's own async resource", async () => {
    const kept = await keepTickObjectShape();
    expect(Object.keys(kept)).toEqual(["callback", "args"]);
    // Node 22 and later add a third symbol (the async context frame).
    expect(Object.getOwnPropertySymbols(kept).map(String)).toEqual(
      expect.arrayContaining(["Symbol(async_id_symbol)", "Symbol(trigger_async_id_symbol)"]),
    );
    // Called again, it keeps the same one.
    expect(await keepTickObjectShape()).toBe(kept);
  });

  describe("in a fresh Node process, across full garbage collections between ticks", () => {
    let dir: string;
    let moduleUrl: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "cogno-tick-"));
      const source = await readFile(new URL("./tick-objects.ts", import.meta.url), "utf8");
      const file = path.join(dir, "tick-objects.mjs");
      await writeFile(file, (await transform(source, { loader: "ts", format: "esm" })).code);
      moduleUrl = pathToFileURL(file).href;
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    /** The states of nextTick's inline caches that add the tick object's properties, as V8 prints them. */
    async function literalCacheStates(keep: boolean): Promise<string[]> {
      const script = `
        const { keepTickObjectShape } = await import(${JSON.stringify(moduleUrl)});
        if (${keep}) await keepTickObjectShape();
        const tick = () => new Promise((resolve) => process.nextTick(resolve));
        for (let i = 0; i < 200; i++) await tick();
        for (let round = 0; round < 6; round++) {
          await new Promise((resolve) => setImmediate(resolve));
          gc();
          await tick();
        }
        %DebugPrint(process.nextTick);`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--allow-natives-syntax", "--expose-gc", "--input-type=module", "--eval", script],
        { maxBuffer: 16 * 1024 * 1024 },
      );
      return [...stdout.matchAll(/slot #\d+ DefineKeyedOwnPropertyInLiteral (\w+)/g)].map(
        (match) => match[1] ?? "",
      );
    }

    it("without it, V8's caches for the tick object's properties give up (the defect it works around)", async () => {
      expect(await literalCacheStates(false)).toContain("MEGAMORPHIC");
    });

    it("with it, every one of those caches stays monomorphic", async () => {
      const states = await literalCacheStates(true);
      expect(states.length).toBeGreaterThanOrEqual(2);
      expect(states.every((state) => state === "MONOMORPHIC")).toBe(true);
    });
  });
});
