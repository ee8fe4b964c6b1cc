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
    expect(redactSecrets("cogno_wk_abc")).toBe("cogno_wk_…");
  });

  it("redacts every key in a line and leaves other text alone", () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    const out = redactSecrets(`${a},${b} cogno_wk_ plain`);
    expect(out).toBe(`${a.slice(0, 17)}…,${b.slice(0, 17)}… cogno_wk_ plain`);
  });
});
