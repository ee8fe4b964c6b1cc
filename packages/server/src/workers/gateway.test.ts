/**
 * The gateway in-process, on a real Fastify server, a real WebSocket and a real database, with a
 * clock the test moves: what happens over minutes is checked in milliseconds. The gateway's tick
 * (an interval) runs when a test says: a tick between moving the clock and a heartbeat's arrival
 * would find the worker silent for the whole jump and cut it off.
 */
import type { User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { createApiKey, listApiKeys } from "../apikeys/service.ts";
import { type App, createApp } from "../app.ts";
import { signUp } from "../auth/service.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";

let deps: TestDeps;
let app: App;
let url: string;
let alice: User;
let workspaceId: string;

const HEARTBEAT_INTERVAL_MS = 100;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  deps = await createTestDeps({ COGNO_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS) });
  alice = (await signUp(deps, { email: "alice@example.com", password: "long enough", name: "Alice" }, "t"))
    .user;
  workspaceId = (await createWorkspace(deps, alice.id, "Acme")).id;
  app = await createApp(deps);
  url = await app.http.listen({ host: "127.0.0.1", port: 0 });
});

afterEach(async () => {
  await app.shutDown();
  vi.useRealTimers();
  await deps.cleanup();
});

/** Lets a heartbeat sent just now arrive, runs the gateway's tick, and lets what it writes land. */
async function heartbeatThenTick(socket: WebSocket): Promise<void> {
  socket.send(JSON.stringify({ type: "heartbeat" }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS);
  await new Promise((resolve) => setTimeout(resolve, 300));
}

function connect(key: string): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace("http", "ws")}/api/v1/worker/connect`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return new Promise((resolve, reject) => {
    socket.once("message", () => resolve(socket)); // "registered"
    socket.once("open", () =>
      socket.send(
        JSON.stringify({
          type: "register",
          machineId: "m-1",
          name: "box",
          hostname: "box",
          os: "linux",
          arch: "x64",
          version: "1",
        }),
      ),
    );
    socket.once("error", reject);
  });
}

async function lastUsedAt(): Promise<string | null | undefined> {
  const { apiKeys } = await listApiKeys(deps, {
    workspaceId,
    actor: alice,
    includeRevoked: false,
    limit: 10,
    cursor: undefined,
  });
  return apiKeys[0]?.lastUsedAt;
}

async function waitForLastUsed(expected: string): Promise<string | null | undefined> {
  const deadline = Date.now() + 3_000;
  let seen = await lastUsedAt();
  while (seen !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen = await lastUsedAt();
  }
  return seen;
}

describe("a worker that stays connected", () => {
  it("regression: keeps its key's last-used time moving, once a minute, not only when it connects", async () => {
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "long-lived" });
    const socket = await connect(key);
    const connectedAt = deps.clock.now().toISOString();
    expect(await waitForLastUsed(connectedAt)).toBe(connectedAt);

    deps.clock.advance(30_000);
    await heartbeatThenTick(socket);
    expect(await lastUsedAt()).toBe(connectedAt); // not yet a minute: no write

    deps.clock.advance(31_000);
    await heartbeatThenTick(socket);
    const minuteLater = deps.clock.now().toISOString();
    expect(await waitForLastUsed(minuteLater)).toBe(minuteLater);
    socket.close();
  });
});

describe("counts for metrics", () => {
  it("counts sockets and, of those, registered workers; a closed socket leaves both", async () => {
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "counted" });
    const worker = await connect(key);
    const idle = new WebSocket(`${url.replace("http", "ws")}/api/v1/worker/connect`, {
      headers: { authorization: `Bearer ${key}` },
    });
    await new Promise((resolve) => idle.once("open", resolve));
    expect(app.gateway.connectionCount()).toBe(2);
    expect(app.gateway.workerCount()).toBe(1);

    const closed = new Promise((resolve) => worker.once("close", resolve));
    worker.close();
    await closed;
    const deadline = Date.now() + 3_000;
    while (app.gateway.connectionCount() !== 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(app.gateway.connectionCount()).toBe(1);
    expect(app.gateway.workerCount()).toBe(0);
    idle.close();
  });
});

describe("shutting down", () => {
  it("closes workers with 1001 and refuses new upgrades with 503 while it drains", async () => {
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "draining" });
    const worker = await connect(key);
    const closed = new Promise<number>((resolve) => worker.once("close", (code) => resolve(code)));
    const draining = app.gateway.shutDown();

    const late = new WebSocket(`${url.replace("http", "ws")}/api/v1/worker/connect`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const status = await new Promise<number>((resolve, reject) => {
      late.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      late.once("open", () => reject(new Error("a draining server accepted a new worker")));
      late.once("error", () => {});
    });
    expect(status).toBe(503);
    expect(await closed).toBe(1001);
    await draining;
  });
});
