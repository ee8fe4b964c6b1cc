import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { createOutput } from "../output/output.ts";
import { testRegisterMessage } from "../testing/register-message.ts";
import type { SessionEnd, SessionOptions } from "./connection.ts";
import { type DaemonDeps, runDaemon } from "./run-daemon.ts";

const register = testRegisterMessage;

/** Plays a script of session outcomes; `registers` says whether a session registered before ending. */
function scriptedDeps(script: { end: SessionEnd; registers?: string }[]) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  let sessions = 0;
  const deps: DaemonDeps = {
    output: createOutput({
      writeStdout: (text) => lines.push(text.trimEnd()),
      writeStderr: (text) => lines.push(text.trimEnd()),
      now: () => new Date("2026-06-01T12:00:00Z"),
    }),
    random: () => 0.5,
    runSession: async (options: SessionOptions) => {
      const step = script[sessions];
      sessions += 1;
      if (step === undefined) throw new Error("script exhausted");
      if (step.registers !== undefined) options.onRegistered(step.registers, 15_000);
      return step.end;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onRegistered: () => undefined,
  };
  return { deps, lines, sleeps, sessionCount: () => sessions };
}

const lost = (registered: boolean): SessionEnd => ({
  kind: "lost",
  reason: "the connection dropped",
  cause: "dropped",
  registered,
  retryAfterMs: undefined,
});

describe("the daemon loop", () => {
  it("backs off exponentially while the server is down and resets after a registration", async () => {
    const { deps, sleeps, lines } = scriptedDeps([
      { end: lost(false) },
      { end: lost(false) },
      { end: lost(false) },
      { end: lost(true), registers: "wkr_1" },
      { end: lost(false) },
      { end: { kind: "revoked", apiKey: undefined, reason: undefined }, registers: "wkr_1" },
    ]);
    const end = await runDaemon(
      {
        server: "http://127.0.0.1:8080",
        key: generateApiKey(),
        register,
        stopSignal: new AbortController().signal,
      },
      deps,
    );
    expect(end).toEqual({ kind: "revoked", apiKey: undefined, reason: undefined });
    // random 0.5 of ceilings 1 s, 2 s, 4 s; then reset by the registration: 1 s, then 2 s.
    expect(sleeps).toEqual([500, 1_000, 2_000, 500, 1_000]);
    expect(lines).toContain("2026-06-01T12:00:00Z registered as wkr_1 (heartbeat every 15 s)");
    expect(lines).toContain(
      "2026-06-01T12:00:00Z connection lost (the connection dropped); reconnecting in 0.5 s",
    );
    expect(lines).toContain("2026-06-01T12:00:00Z registered again as wkr_1 (heartbeat every 15 s)");
  });

  it("says a server URL that never answered could not be reached, instead of connection lost", async () => {
    const unreachable: SessionEnd = {
      kind: "lost",
      reason: "connection refused",
      cause: "unreachable",
      registered: false,
      retryAfterMs: undefined,
    };
    const { deps, lines } = scriptedDeps([
      { end: unreachable },
      { end: lost(true), registers: "wkr_1" },
      { end: unreachable },
      { end: { kind: "rejected", reason: "x" } },
    ]);
    await runDaemon(
      {
        server: "http://127.0.0.1:8080",
        key: generateApiKey(),
        register,
        stopSignal: new AbortController().signal,
      },
      deps,
    );
    const reconnects = lines.filter((line) => /Retrying|reconnecting/.test(line));
    expect(reconnects).toEqual([
      "2026-06-01T12:00:00Z could not reach http://127.0.0.1:8080: connection refused — is the server running and the URL right? Retrying in 0.5 s",
      "2026-06-01T12:00:00Z connection lost (the connection dropped); reconnecting in 0.5 s",
      // Once it has answered, the URL is right: the server went away.
      "2026-06-01T12:00:00Z connection lost (connection refused); reconnecting in 1 s",
    ]);
  });

  it("comes back within 2 s of a draining server's 1001 without growing the backoff", async () => {
    const { deps, sleeps } = scriptedDeps([
      {
        end: {
          kind: "lost",
          reason: "the server is going away",
          cause: "draining",
          registered: true,
          retryAfterMs: undefined,
        },
        registers: "wkr_1",
      },
      { end: lost(false) },
      { end: { kind: "rejected", reason: "x" } },
    ]);
    await runDaemon(
      {
        server: "http://127.0.0.1:8080",
        key: generateApiKey(),
        register,
        stopSignal: new AbortController().signal,
      },
      deps,
    );
    // random 0.5: half of the 2 s spread, then the first step of the backoff (half of 1 s).
    expect(sleeps).toEqual([1_000, 500]);
  });

  it("never retries a refused key", async () => {
    const { deps, sessionCount } = scriptedDeps([
      { end: { kind: "refused", error: { code: "api_key_revoked", message: "Revoked." } } },
    ]);
    const end = await runDaemon(
      {
        server: "http://127.0.0.1:8080",
        key: generateApiKey(),
        register,
        stopSignal: new AbortController().signal,
      },
      deps,
    );
    expect(end.kind).toBe("refused");
    expect(sessionCount()).toBe(1);
  });

  it("stops during a backoff wait without connecting again", async () => {
    const stop = new AbortController();
    const { deps, lines, sessionCount } = scriptedDeps([{ end: lost(false) }]);
    deps.sleep = async () => {
      stop.abort();
    };
    const end = await runDaemon(
      { server: "http://127.0.0.1:8080", key: generateApiKey(), register, stopSignal: stop.signal },
      deps,
    );
    expect(end).toEqual({ kind: "stopped" });
    expect(sessionCount()).toBe(1);
    expect(lines.at(-1)).toBe("2026-06-01T12:00:00Z stopped");
  });

  it("waits at least a Retry-After, but never beyond 60 s", async () => {
    const { deps, sleeps } = scriptedDeps([
      { end: { kind: "lost", reason: "503", cause: "busy", registered: false, retryAfterMs: 5_000 } },
      { end: { kind: "lost", reason: "503", cause: "busy", registered: false, retryAfterMs: 3_600_000 } },
      { end: { kind: "rejected", reason: "x" } },
    ]);
    await runDaemon(
      {
        server: "http://127.0.0.1:8080",
        key: generateApiKey(),
        register,
        stopSignal: new AbortController().signal,
      },
      deps,
    );
    expect(sleeps).toEqual([5_000, 60_000]);
  });
});
