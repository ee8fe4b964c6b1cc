import { describe, expect, it } from "vitest";
import { parseEventData } from "./workspace-events.ts";

describe("parseEventData", () => {
  it("parses an event with the contract's schema of its name", () => {
    expect(parseEventData("worker.removed", JSON.stringify({ id: "wkr_1" }))).toEqual({ id: "wkr_1" });
  });

  it("skips malformed JSON and data off contract instead of casting it", () => {
    expect(parseEventData("worker.removed", "{not json")).toBeNull();
    expect(parseEventData("worker.removed", JSON.stringify({ id: 7 }))).toBeNull();
    // An object that is not a key: the old cast let it through as one.
    expect(parseEventData("api_key.revoked", JSON.stringify({ id: "key_1" }))).toBeNull();
  });
});
