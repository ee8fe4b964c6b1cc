import { crc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32Ascii } from "./crc32.ts";

describe("crc32Ascii", () => {
  it("gives the standard check value for 123456789", () => {
    expect(crc32Ascii("123456789")).toBe(0xcbf43926);
    expect(crc32Ascii("")).toBe(0);
  });

  it("agrees with zlib on any ASCII string (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          return crc32Ascii(s) === crc32(Buffer.from(s, "latin1"));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
