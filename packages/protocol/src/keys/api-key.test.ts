import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  API_KEY_LENGTH,
  API_KEY_PREFIX,
  checksumOf,
  displayPrefixOf,
  generateApiKey,
  parseApiKey,
} from "./api-key.ts";
import { BASE62_ALPHABET } from "./base62.ts";
import knownKeys from "./fixtures/known-keys.json" with { type: "json" };

describe("known-answer vectors", () => {
  for (const vector of knownKeys.vectors) {
    it(`checksums ${vector.random.slice(0, 12)}… as ${vector.checksum}`, () => {
      expect(checksumOf(vector.random)).toBe(vector.checksum);
      expect(parseApiKey(vector.key)).toEqual({
        ok: true,
        key: vector.key,
        displayPrefix: vector.displayPrefix,
      });
      expect(displayPrefixOf(vector.key)).toBe(vector.displayPrefix);
    });
  }
});

describe("generateApiKey", () => {
  it("has the documented shape", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^cogno_wk_[0-9A-Za-z]{46}$/);
    expect(key).toHaveLength(55);
    expect(API_KEY_LENGTH).toBe(55);
  });

  it("never repeats itself", () => {
    const keys = new Set(Array.from({ length: 2000 }, generateApiKey));
    expect(keys.size).toBe(2000);
  });

  it("uses every base62 character roughly uniformly", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const ch of generateApiKey().slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + 40)) {
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
      }
    }
    // 80,000 draws over 62 symbols: about 1,290 each; a biased generator (byte % 62) skews the first 8.
    expect(counts.size).toBe(62);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(1100);
      expect(count).toBeLessThan(1500);
    }
  });

  it("every generated key parses (property)", () => {
    fc.assert(
      fc.property(fc.integer(), () => parseApiKey(generateApiKey()).ok),
      { numRuns: 500 },
    );
  });
});

describe("parseApiKey rejects with a distinct reason", () => {
  const valid = knownKeys.vectors[3]?.key ?? "";

  it("wrong prefix", () => {
    expect(parseApiKey(`cogno_xx_${valid.slice(9)}`)).toMatchObject({ ok: false, reason: "prefix" });
    expect(parseApiKey("")).toMatchObject({ ok: false, reason: "prefix" });
  });

  it("truncated or too long", () => {
    expect(parseApiKey(valid.slice(0, -1))).toMatchObject({ ok: false, reason: "length" });
    expect(parseApiKey(`${valid}A`)).toMatchObject({ ok: false, reason: "length" });
  });

  it("characters outside base62", () => {
    expect(parseApiKey(`${valid.slice(0, 20)}-${valid.slice(21)}`)).toMatchObject({
      ok: false,
      reason: "charset",
    });
    expect(parseApiKey(`${valid.slice(0, 54)} `)).toMatchObject({ ok: false, reason: "charset" });
  });

  it("checksum mismatch", () => {
    const swapped = `${valid.slice(0, 9)}${valid[10]}${valid[9]}${valid.slice(11)}`;
    expect(parseApiKey(swapped)).toMatchObject({ ok: false, reason: "checksum" });
  });

  it("every message tells a person what to do", () => {
    for (const candidate of [
      "nope",
      valid.slice(0, 30),
      `${valid.slice(0, 54)}!`,
      `${valid.slice(0, 54)}0`,
    ]) {
      const result = parseApiKey(candidate);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/key/i);
    }
  });

  it("every single-character change is rejected (property)", () => {
    const keyAndEdit = fc.record({
      position: fc.integer({ min: 0, max: API_KEY_LENGTH - 1 }),
      replacement: fc.constantFrom(...BASE62_ALPHABET, "_", "-", " ", "é"),
    });
    fc.assert(
      fc.property(keyAndEdit, ({ position, replacement }) => {
        const key = generateApiKey();
        fc.pre(key[position] !== replacement);
        const edited = key.slice(0, position) + replacement + key.slice(position + 1);
        return !parseApiKey(edited).ok;
      }),
      { numRuns: 3000 },
    );
  });

  it("every deletion or insertion of one character is rejected (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: API_KEY_LENGTH - 1 }),
        fc.constantFrom(...BASE62_ALPHABET),
        (at, ch) => {
          const key = generateApiKey();
          const deleted = key.slice(0, at) + key.slice(at + 1);
          const inserted = key.slice(0, at) + ch + key.slice(at);
          return !parseApiKey(deleted).ok && !parseApiKey(inserted).ok;
        },
      ),
      { numRuns: 500 },
    );
  });
});
