import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateApiKey } from "./keys/api-key.ts";
import { redactSecrets } from "./redact.ts";

describe("redactSecrets", () => {
  it("shows a whole key as its display prefix and an ellipsis", () => {
    const key = generateApiKey();
    const out = redactSecrets(`Authorization: Bearer ${key} failed`);
    expect(out).toBe(`Authorization: Bearer ${key.slice(0, 17)}… failed`);
    expect(out).not.toContain(key.slice(17));
  });

  it("redacts truncated and mistyped keys too", () => {
    const key = generateApiKey();
    expect(redactSecrets(key.slice(0, 30))).toBe(`${key.slice(0, 17)}…`);
    expect(redactSecrets("cogno_wk_abc")).toBe("cogno_wk_abc…");
  });

  it("redacts every key in a line and leaves other text alone", () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    const out = redactSecrets(`${a},${b} cogno_wk_ plain`);
    expect(out).toBe(`${a.slice(0, 17)}…,${b.slice(0, 17)}… cogno_wk_ plain`);
  });

  it("redacts keys written together, each on its own (regression: the second key leaked)", () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    const out = redactSecrets(`${a}${b}`);
    expect(out).toBe(`${a.slice(0, 17)}…${b.slice(0, 17)}…`);
    expect(out).not.toContain(b.slice(17));
  });

  it("changes nothing when run twice (regression: a second ellipsis was added)", () => {
    const key = generateApiKey();
    const once = redactSecrets(`key ${key} and ${key.slice(0, 12)}`);
    expect(redactSecrets(once)).toBe(once);
    expect(redactSecrets("cogno_wk_…")).toBe("cogno_wk_…");
  });

  it("leaves no secret character behind for any mix of keys and text (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant("KEY"), fc.string({ maxLength: 5 })), { maxLength: 6 }),
        (parts) => {
          const keys: string[] = [];
          const text = parts
            .map((part) => {
              if (part !== "KEY") return part;
              const key = generateApiKey();
              keys.push(key);
              return key;
            })
            .join("");
          const out = redactSecrets(text);
          return keys.every((key) => !out.includes(key.slice(17, 30))) && redactSecrets(out) === out;
        },
      ),
      { numRuns: 300 },
    );
  });
});
