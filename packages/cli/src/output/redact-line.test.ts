import { generateApiKey } from "@cogno/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactLine } from "./redact-line.ts";

const keyArbitrary = fc.constant(null).map(() => generateApiKey());
const fillerArbitrary = fc.string({
  unit: fc.constantFrom("a", "Z", "0", " ", "_", ":", "…", "\t"),
  maxLength: 6,
});

describe("redactLine", () => {
  it("regression: a key written right after another key no longer leaks its secret part", () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    const out = redactLine(`${a}${b}`);
    expect(out).toBe(`${a.slice(0, 17)}…${b.slice(0, 17)}…`);
  });

  it("regression: a prefix that is already redacted does not gain a second ellipsis", () => {
    const key = generateApiKey();
    expect(redactLine(`key ${key.slice(0, 17)}… ("ci")`)).toBe(`key ${key.slice(0, 17)}… ("ci")`);
  });

  it("leaves no secret character run of any key in any mix of keys and text, and is idempotent", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fillerArbitrary, keyArbitrary), { minLength: 1, maxLength: 4 }),
        (parts) => {
          const line = parts.map(([filler, key]) => filler + key).join("");
          const out = redactLine(line);
          for (const [, key] of parts) expect(out).not.toContain(key.slice(17, 27));
          expect(redactLine(out)).toBe(out);
        },
      ),
    );
  });
});
