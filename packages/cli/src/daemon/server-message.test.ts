import { describe, expect, it } from "vitest";
import { parseServerFrame } from "./server-message.ts";

const frame = (value: unknown): string => JSON.stringify(value);
const apiKey = { id: "key_1", name: "ci", prefix: "cogno_wk_00000000" };

describe("reading the gateway's frames with the contract's schema", () => {
  it("reads each known message", () => {
    expect(
      parseServerFrame(frame({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 15_000 })),
    ).toEqual({
      kind: "message",
      message: { type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 15_000 },
    });
    expect(parseServerFrame(frame({ type: "revoked", apiKey, reason: "leaked" }))).toEqual({
      kind: "message",
      message: { type: "revoked", apiKey, reason: "leaked" },
    });
    expect(parseServerFrame(frame({ type: "disconnected", by: { id: "usr_1", name: "Alice" } }))).toEqual({
      kind: "message",
      message: { type: "disconnected", by: { id: "usr_1", name: "Alice" } },
    });
  });

  it("ignores a message type from a newer server, and frames that are not messages at all", () => {
    for (const text of [
      frame({ type: "pause", forMs: 10 }),
      frame({ hello: 1 }),
      frame([1]),
      "not json",
      "null",
    ]) {
      expect(parseServerFrame(text)).toEqual({ kind: "ignored" });
    }
  });

  it("still stops on revoked or disconnected whose details it cannot read (a reason from a newer server)", () => {
    expect(parseServerFrame(frame({ type: "revoked", apiKey, reason: "suspended" }))).toEqual({
      kind: "message",
      message: { type: "revoked", apiKey, reason: undefined },
    });
    expect(parseServerFrame(frame({ type: "revoked" }))).toEqual({
      kind: "message",
      message: { type: "revoked", apiKey: undefined, reason: undefined },
    });
    expect(parseServerFrame(frame({ type: "disconnected", by: "someone" }))).toEqual({
      kind: "message",
      message: { type: "disconnected", by: undefined },
    });
  });

  it("keeps the message of an error whose code this CLI does not know", () => {
    expect(
      parseServerFrame(
        frame({ type: "error", error: { code: "quota_exceeded", message: "Too many workers." } }),
      ),
    ).toEqual({
      kind: "message",
      message: { type: "error", error: { code: undefined, message: "Too many workers." } },
    });
  });

  it("calls a known message that does not fit the contract malformed, naming the field (it was read loosely before)", () => {
    expect(
      parseServerFrame(frame({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 0 })),
    ).toMatchObject({
      kind: "malformed",
      type: "registered",
      problem: /^heartbeatIntervalMs: /,
    });
    expect(parseServerFrame(frame({ type: "error", error: { code: "conflict" } }))).toMatchObject({
      kind: "malformed",
      type: "error",
    });
  });

  it("escapes control characters in names before anything prints them", () => {
    const parsed = parseServerFrame(
      frame({ type: "disconnected", by: { id: "usr_1", name: "Eve\u001b[2J" } }),
    );
    expect(parsed).toEqual({
      kind: "message",
      message: { type: "disconnected", by: { id: "usr_1", name: "Eve\\u001b[2J" } },
    });
  });
});
