import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { applyTypedInput, readFirstLine } from "./read-line.ts";

describe("reading the key", () => {
  it("takes the first line from a pipe, with or without a final newline", async () => {
    const piped = (text: string) => readFirstLine(Readable.from([Buffer.from(text)]));
    expect(await piped("cogno_wk_abc\nsecond line\n")).toBe("cogno_wk_abc");
    expect(await piped("cogno_wk_abc")).toBe("cogno_wk_abc");
    expect(await piped("cogno_wk_abc\r\n")).toBe("cogno_wk_abc");
    expect(await piped("")).toBe("");
  });

  it("applies typing and pasting at a hidden prompt: backspace, Enter, Ctrl-D, Ctrl-C", () => {
    expect(applyTypedInput("", "cogno_wk_ab")).toEqual({
      line: "cogno_wk_ab",
      done: false,
      cancelled: false,
    });
    expect(applyTypedInput("cogno_wk_ab", "x\u007fc\r")).toEqual({
      line: "cogno_wk_abc",
      done: true,
      cancelled: false,
    });
    expect(applyTypedInput("abc", "\u0004")).toEqual({ line: "abc", done: true, cancelled: false });
    expect(applyTypedInput("abc", "\u0003")).toEqual({ line: "", done: true, cancelled: true });
    // Escape sequences (arrow keys) are not part of a key.
    expect(applyTypedInput("", "\u001b")).toEqual({ line: "", done: false, cancelled: false });
  });
});
