import { describe, expect, it } from "vitest";
import {
  formatUserCode,
  generateDeviceCode,
  generateUserCode,
  normalizeUserCode,
  USER_CODE_ALPHABET,
} from "./codes.ts";

describe("user codes", () => {
  it("are 8 letters with no vowels and no look-alikes, shown as XXXX-XXXX", () => {
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY0-9]/);
    for (let i = 0; i < 200; i++) {
      const code = generateUserCode();
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      expect(formatUserCode(code)).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    }
  });

  it("use every letter of the alphabet (no letter left out by a biased draw)", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) for (const letter of generateUserCode()) seen.add(letter);
    expect([...seen].sort().join("")).toBe([...USER_CODE_ALPHABET].sort().join(""));
  });

  it("match whatever the case, dashes and spaces", () => {
    expect(normalizeUserCode("bcdf-ghjk")).toBe("BCDFGHJK");
    expect(normalizeUserCode(" BCDFGHJK ")).toBe("BCDFGHJK");
    expect(normalizeUserCode("bcdf ghjk")).toBe("BCDFGHJK");
  });

  it("refuse what cannot be a code: a vowel, a digit, the wrong length", () => {
    for (const typed of ["ABCD-FGHJ", "BCDF-GHJ0", "BCDF-GHJ", "BCDF-GHJKL", "", "BCDF_GHJK"]) {
      expect(normalizeUserCode(typed), typed).toBeUndefined();
    }
  });
});

describe("device codes", () => {
  it("are 256-bit secrets, different every time", () => {
    const codes = new Set(Array.from({ length: 100 }, generateDeviceCode));
    expect(codes.size).toBe(100);
    for (const code of codes) expect(Buffer.from(code, "base64url")).toHaveLength(32);
  });
});
