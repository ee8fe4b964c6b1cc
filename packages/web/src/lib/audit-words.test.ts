import { AUDIT_ACTIONS } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ACTION_LABELS, describeDetails } from "./audit-words.ts";

describe("audit words", () => {
  it("labels every action of the contract, each differently", () => {
    const labels = AUDIT_ACTIONS.map((action) => ACTION_LABELS[action]);
    expect(new Set(labels).size).toBe(AUDIT_ACTIONS.length);
  });

  it("writes details as name: value, nested as JSON, empty ones left out, long ones cut", () => {
    expect(describeDetails({ from: "admin", to: "member", note: "", gone: null })).toEqual([
      "from: admin",
      "to: member",
    ]);
    expect(describeDetails({ expiresInSeconds: 3600, replacedBy: { id: "key_2" } })).toEqual([
      "expiresInSeconds: 3600",
      'replacedBy: {"id":"key_2"}',
    ]);
    const [long] = describeDetails({ url: "x".repeat(500) });
    expect(long).toHaveLength("url: ".length + 120);
  });
});
