import { describe, expect, it } from "vitest";
import { adviseOnKeyName, type ExistingKey } from "./key-name-advice.ts";

const mine = (name: string): ExistingKey => ({ name, prefix: "cogno_wk_AbCd1234", otherOwner: null });

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

  it("warns when the person already has an active key of that name, naming its prefix", () => {
    const advice = adviseOnKeyName("CI  Worker ", [mine("ci worker")]);
    expect(advice.kind).toBe("duplicate");
    expect(advice.kind === "duplicate" && advice.message).toMatch(
      /^You already have an active key named "ci worker" \(cogno_wk_AbCd1234…\)/,
    );
  });

  it("warns when someone else's visible key has that name, naming them", () => {
    const advice = adviseOnKeyName("bob-laptop", [
      { name: "bob-laptop", prefix: "cogno_wk_Zz9Yy8Xx", otherOwner: "Bob" },
    ]);
    expect(advice.kind === "duplicate" && advice.message).toMatch(/^Bob already has an active key named/);
  });

  it("regression: a twin of a generic name is called a twin, not only generic", () => {
    expect(adviseOnKeyName("test", [mine("test")]).kind).toBe("duplicate");
  });

  it("says nothing about an empty field", () => {
    expect(adviseOnKeyName("  ", [mine("x")])).toEqual({ kind: "ok" });
  });
});
