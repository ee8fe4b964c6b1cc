import { describe, expect, it } from "vitest";
import { encodeServerMessage, parseWorkerFrame } from "./protocol.ts";

const frame = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
const register = {
  type: "register",
  machineId: "m",
  name: "n",
  hostname: "h",
  os: "linux",
  arch: "x64",
  version: "1",
};

describe("parseWorkerFrame", () => {
  it("reads the three worker messages", () => {
    expect(parseWorkerFrame(frame({ type: "heartbeat" }), false)).toEqual({
      ok: true,
      message: { type: "heartbeat" },
    });
    expect(parseWorkerFrame(frame({ type: "stopping" }), false)).toEqual({
      ok: true,
      message: { type: "stopping" },
    });
    expect(parseWorkerFrame(frame(register), false)).toEqual({ ok: true, message: register });
  });

  it("strips control characters from register's text, as HTTP bodies are", () => {
    const parsed = parseWorkerFrame(frame({ ...register, hostname: "bo\u0000x\u001b[2J\u009b" }), false);
    expect(parsed).toEqual({ ok: true, message: { ...register, hostname: "box[2J" } });
  });

  it("names what is wrong: not JSON, binary, an unknown type, a field", () => {
    expect(parseWorkerFrame(frame("not json"), false)).toMatchObject({ ok: false });
    expect(parseWorkerFrame(frame({ type: "heartbeat" }), true)).toMatchObject({ ok: false });
    expect(parseWorkerFrame(frame({ type: "shell" }), false)).toMatchObject({ ok: false, problem: /type/ });
    expect(parseWorkerFrame(frame({ ...register, hostname: "\u0007" }), false)).toMatchObject({
      ok: false,
      problem: /hostname: hostname must not be empty/,
    });
  });
});

describe("encodeServerMessage", () => {
  it("writes JSON text", () => {
    expect(
      JSON.parse(encodeServerMessage({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 15_000 })),
    ).toEqual({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 15_000 });
  });
});
