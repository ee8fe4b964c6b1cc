import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BASE62_ALPHABET, encodeBase62, isBase62, randomBase62 } from "./base62.ts";

function decode(text: string): number {
  let value = 0;
  for (const ch of text) value = value * 62 + BASE62_ALPHABET.indexOf(ch);
  return value;
}

describe("encodeBase62", () => {
  it("writes the most significant digit first, padded with 0", () => {
    expect(encodeBase62(0, 6)).toBe("000000");
    expect(encodeBase62(61, 6)).toBe("00000z");
    expect(encodeBase62(62, 6)).toBe("000010");
    expect(encodeBase62(0xffffffff, 6)).toBe("4gfFC3");
  });

  it("round-trips every 32-bit value (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => decode(encodeBase62(n, 6)) === n));
  });

  it("refuses a value that does not fit the width", () => {
    expect(() => encodeBase62(62 ** 2, 2)).toThrow(RangeError);
    expect(() => encodeBase62(-1, 6)).toThrow(RangeError);
  });
});

describe("randomBase62", () => {
  it("returns the requested length in the alphabet", () => {
    for (const length of [1, 8, 40, 100]) {
      const text = randomBase62(length);
      expect(text).toHaveLength(length);
      expect(isBase62(text)).toBe(true);
    }
  });
});
