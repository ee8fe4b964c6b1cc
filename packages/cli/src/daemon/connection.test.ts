import { generateApiKey } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { workerSocketUrlOf } from "../http/server-url.ts";
import { type FakeServer, startFakeServer } from "../testing/fake-server.ts";
import { testRegisterMessage } from "../testing/register-message.ts";
import { runWorkerSession, type SessionOptions } from "./connection.ts";

const register = testRegisterMessage;

describe("one worker connection", () => {
  let server: FakeServer;
  let stop: AbortController;
  const key = generateApiKey();
  const registered: string[] = [];
  const optionsFor = (overrides: Partial<SessionOptions> = {}): SessionOptions => ({
    url: workerSocketUrlOf(server.url),
    key,
    register,
    stopSignal: stop.signal,
    random: () => 0,
    onRegistered: (workerId) => registered.push(workerId),
    ...overrides,
  });

  /** Until the session has taken the server's "registered" (it runs in this process, between our awaits). */
  const untilRegistered = () => vi.waitFor(() => expect(registered).toEqual(["wkr_1"]));

  beforeEach(async () => {
    server = await startFakeServer();
    stop = new AbortController();
    registered.length = 0;
  });
  afterEach(async () => {
    await server.close();
  });

  it("authenticates with the bearer key, registers first, then heartbeats at the server's interval", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    expect(connection.authorization).toBe(`Bearer ${key}`);
    expect(await connection.nextMessage()).toEqual(register);
    connection.socket.send(
      JSON.stringify({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 100 }),
    );
    const started = Date.now();
    expect(await connection.nextMessage()).toEqual({ type: "heartbeat" });
    expect(await connection.nextMessage()).toEqual({ type: "heartbeat" });
    // random() = 0 means no jitter: two intervals of 100 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(registered).toEqual(["wkr_1"]);
    stop.abort();
    expect(await session).toEqual({ kind: "stopped" });
  });

  it("on a stop request sends stopping, closes normally and ends as stopped", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(
      JSON.stringify({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 60_000 }),
    );
    await untilRegistered();
    stop.abort();
    expect(await connection.nextMessage()).toEqual({ type: "stopping" });
    expect(await connection.closed).toEqual({ code: 1000 });
    expect(await session).toEqual({ kind: "stopped" });
  });

  it("ends as revoked, with the key, as soon as the server says revoked", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    const apiKey = { id: "key_1", name: "ci", prefix: key.slice(0, 17) };
    connection.socket.send(JSON.stringify({ type: "revoked", apiKey }));
    // No close frame: the worker must not wait for it.
    expect(await session).toEqual({ kind: "revoked", apiKey, reason: undefined });
  });

  it("treats close 4001 without a revoked message as revoked too", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.close(4001, "revoked");
    expect(await session).toEqual({ kind: "revoked", apiKey: undefined, reason: undefined });
  });

  it("ends as revoked with the server's reason (API.md v1.1)", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    const apiKey = { id: "key_1", name: "ci", prefix: key.slice(0, 17) };
    connection.socket.send(JSON.stringify({ type: "revoked", apiKey, reason: "rolled" }));
    expect(await session).toEqual({ kind: "revoked", apiKey, reason: "rolled" });
  });

  it("ends as disconnected, naming who stopped it, on a disconnected message (stopped from the web app)", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(JSON.stringify({ type: "disconnected", by: { id: "usr_1", name: "Alice" } }));
    connection.socket.close(4002, "stopped");
    expect(await session).toEqual({ kind: "disconnected", by: { id: "usr_1", name: "Alice" } });
  });

  it("treats close 4002 without a disconnected message as stopped from the web app, not as lost", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.close(4002, "stopped");
    expect(await session).toEqual({ kind: "disconnected", by: undefined });
  });

  it.each(["api_key_revoked", "api_key_invalid", "api_key_malformed"])(
    "reads the 401 body of a refused upgrade (%s) instead of a bare status",
    async (code) => {
      server.refuseUpgrade = () => ({ status: 401, body: { error: { code, message: `Refused: ${code}.` } } });
      expect(await runWorkerSession(optionsFor())).toEqual({
        kind: "refused",
        error: { code, message: `Refused: ${code}.` },
      });
    },
  );

  it("asks for a reconnect on 5xx at the upgrade, honouring Retry-After", async () => {
    server.refuseUpgrade = () => ({
      status: 503,
      body: { error: { code: "internal_error", message: "Starting." } },
      headers: { "retry-after": "7" },
    });
    expect(await runWorkerSession(optionsFor())).toEqual({
      kind: "lost",
      reason: "the server answered 503: Starting.",
      cause: "busy",
      registered: false,
      retryAfterMs: 7_000,
    });
  });

  it("tells a server's close 1013 (try again later: its per-key limits) apart from a drop", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.close(1013, "too many connections for this key");
    expect(await session).toEqual({
      kind: "lost",
      reason: "the server asks to try again later (too many connections for this key)",
      cause: "busy",
      registered: false,
      retryAfterMs: undefined,
    });
  });

  it("asks for a reconnect on close 1001 (a replica going away)", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(
      JSON.stringify({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 60_000 }),
    );
    await untilRegistered();
    connection.socket.close(1001, "shutting down");
    expect(await session).toMatchObject({ kind: "lost", cause: "draining", registered: true });
  });

  it("escapes control characters in a close reason, the one server text no schema reads", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.close(1011, "\u001b[2Jgone\nforged");
    expect(await session).toMatchObject({
      kind: "lost",
      reason: "closed with code 1011: \\u001b[2Jgone\\u000aforged",
    });
  });

  it("does not retry a protocol error (4000); it reports the server's message", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(
      JSON.stringify({ type: "error", error: { code: "validation_failed", message: "name too long" } }),
    );
    connection.socket.close(4000, "protocol error");
    expect(await session).toEqual({ kind: "rejected", reason: "name too long" });
  });

  it("ends with the server's message on an error whose code this CLI does not know", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(
      JSON.stringify({ type: "error", error: { code: "quota_exceeded", message: "Too many workers." } }),
    );
    connection.socket.close(4000, "protocol error");
    expect(await session).toEqual({ kind: "rejected", reason: "Too many workers." });
  });

  it("ignores a message type from a newer server and keeps going", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(JSON.stringify({ type: "pause", forMs: 5 }));
    connection.socket.send(
      JSON.stringify({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 60_000 }),
    );
    await untilRegistered();
    stop.abort();
    expect(await session).toEqual({ kind: "stopped" });
  });

  it("stops on a registered message that does not fit the contract instead of running without heartbeats", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(
      JSON.stringify({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: -1 }),
    );
    const end = await session;
    expect(end).toMatchObject({ kind: "rejected", reason: /"registered" message .*heartbeatIntervalMs/ });
    expect(registered).toEqual([]);
  });

  it("asks for a reconnect when nothing listens, saying the server was never reached", async () => {
    const url = workerSocketUrlOf(server.url);
    await server.close();
    const end = await runWorkerSession(optionsFor({ url }));
    expect(end).toEqual({
      kind: "lost",
      reason: "connection refused",
      cause: "unreachable",
      registered: false,
      retryAfterMs: undefined,
    });
  });

  it("gives up on a server that stops answering (half-open connection) so it can reconnect", async () => {
    const session = runWorkerSession(optionsFor());
    const connection = await server.waitForConnection(0);
    await connection.nextMessage();
    connection.socket.send(
      JSON.stringify({ type: "registered", workerId: "wkr_1", heartbeatIntervalMs: 100 }),
    );
    await untilRegistered();
    // Pause the server side of the socket: no pongs, no frames, as if the network vanished.
    connection.socket.pause();
    const end = await session;
    expect(end).toMatchObject({ kind: "lost", cause: "dropped", registered: true });
  });
});
