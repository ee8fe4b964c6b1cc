import { describe, expect, it } from "vitest";
import { adviseOnKeyName } from "./key-name-advice.ts";

describe("adviseOnKeyName", () => {
  it("warns on the help page's generic names, whatever their case or numbering", () => {
    for (const name of ["test", "key", "worker", "Worker", " TEST-2 ", "key 1", "api_key"]) {
      expect(adviseOnKeyName(name, []).kind).toBe("generic");
    }
  });

  it("accepts the help page's good names", () => {
    for (const name of ["alice-macbook-worker", "buildkite-prod-worker", "migration-laptop-2026-06"]) {
      expect(adviseOnKeyName(name, [])).toEqual({ kind: "ok" });
    }
  });

  it("warns when the owner already has an active key of that name", () => {
    expect(adviseOnKeyName("CI worker", ["ci worker"]).kind).toBe("duplicate");
  });

  it("says nothing about an empty field", () => {
    expect(adviseOnKeyName("  ", [])).toEqual({ kind: "ok" });
  });
});
