import { describe, expect, it } from "vitest";
import { formatUserCode, isCompleteUserCode } from "./user-code.ts";

describe("user codes", () => {
  it("accepts the code as typed: any case, with or without the dash or spaces", () => {
    for (const typed of ["BCDF-GHJK", "bcdfghjk", " bcdf ghjk ", "Bcdf-gHjk"]) {
      expect(isCompleteUserCode(typed)).toBe(true);
      expect(formatUserCode(typed)).toBe("BCDF-GHJK");
    }
  });

  it("leaves an incomplete or foreign code for the person to fix", () => {
    for (const typed of ["BCDF-GHJ", "BCDF-GHJKL", "BCDF-GH1K", ""])
      expect(isCompleteUserCode(typed)).toBe(false);
    expect(formatUserCode("bcd-f")).toBe("BCD-F");
  });
});
