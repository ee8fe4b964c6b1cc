/**
 * Event streams in-process, on a real Fastify server with real HTTP streams, a real WebSocket worker
 * and a real database (SQLite, or PostgreSQL with COGNO_TEST_DATABASE=postgres).
 */
import http from "node:http";
import type { User } from "@cogno/protocol";
import type { KyselyPlugin, RootOperationNode } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createApiKey } from "../apikeys/service.ts";
import { type App, createApp } from "../app.ts";
import { userActor } from "../audit/service.ts";
import { logIn, signUp } from "../auth/service.ts";
import { joinWorkspace } from "../testing/members.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { removeMember } from "../workspaces/member-service.ts";
import { createWorkspace } from "../workspaces/service.ts";

let deps: TestDeps;
let app: App;
let url: string;
let alice: User;
let aliceSession: string;
let workspaceId: string;
/** Reads of the workers table since the test last reset it. */
let workerReads = 0;

/** Counts SELECTs that read the workers table, as the database sees them. */
const countWorkerReads: KyselyPlugin = {
  transformQuery({ node }: { node: RootOperationNode }) {
    if (node.kind === "SelectQueryNode" && JSON.stringify(node.from).includes('"workers"')) workerReads += 1;
    return node;
  },
  transformResult: async ({ result }) => result,
};

beforeEach(async () => {
  deps = await createTestDeps();
  const session = await signUp(
    deps,
    { email: "alice@example.com", password: "long enough", name: "Alice" },
    "t",
  );
  alice = session.user;
  aliceSession = session.token;
  workspaceId = (await createWorkspace(deps, alice.id, "Acme")).id;
  app = await createApp({ ...deps, db: deps.db.withPlugin(countWorkerReads) });
  url = await app.http.listen({ host: "127.0.0.1", port: 0 });
});

afterEach(async () => {
  await app.shutDown();
  await deps.cleanup();
});

interface OpenStream {
  /** Everything received so far. */
  text(): string;
  ended: Promise<void>;
  close(): void;
}

function openStream(sessionToken: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${url}/api/v1/workspaces/${workspaceId}/events`,
      { headers: { cookie: `cogno_session=${sessionToken}` } },
      (response) => {
        let text = "";
        const ended = new Promise<void>((done) => response.once("close", () => done()));
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
          if (text.startsWith(": connected"))
            resolve({ text: () => text, ended, close: () => request.destroy() });
        });
        response.once("end", () => reject(new Error(`stream refused: ${response.statusCode} ${text}`)));
      },
    );
    request.once("error", reject);
  });
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function connectWorker(key: string): Promise<{ socket: WebSocket; workerId: string }> {
  const socket = new WebSocket(`${url.replace("http", "ws")}/api/v1/worker/connect`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return new Promise((resolve, reject) => {
    socket.once("message", (data: Buffer) => {
      const registered = JSON.parse(data.toString()) as { workerId: string };
      resolve({ socket, workerId: registered.workerId });
    });
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

const count = (text: string, event: string): number => text.split(`event: ${event}\n`).length - 1;

describe("event streams", () => {
  it("regression: each worker.updated cost one database read per open stream; now one read per event", async () => {
    const streams = await Promise.all(Array.from({ length: 20 }, () => openStream(aliceSession)));
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "box" });
    const { socket, workerId } = await connectWorker(key);
    await until(() => streams.every((stream) => count(stream.text(), "worker.updated") >= 1));

    workerReads = 0;
    await deps.bus.publish({ type: "worker.updated", workspaceId, workerId });
    await until(() => streams.every((stream) => count(stream.text(), "worker.updated") >= 2));
    expect(workerReads).toBe(1);
    for (const stream of streams) expect(stream.text()).toContain(`"id":"${workerId}"`);

    socket.close();
    for (const stream of streams) stream.close();
  });

  it("a burst of updates of one worker costs at most two reads and ends on its latest state", async () => {
    const stream = await openStream(aliceSession);
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "box" });
    const { socket, workerId } = await connectWorker(key);
    await until(() => count(stream.text(), "worker.updated") >= 1);
    socket.close();
    await until(
      () => stream.text().includes('"status":"offline"') || stream.text().includes('"status":"stopped"'),
    );
    const before = count(stream.text(), "worker.updated");

    workerReads = 0;
    await Promise.all(
      Array.from({ length: 10 }, () => deps.bus.publish({ type: "worker.updated", workspaceId, workerId })),
    );
    await until(() => count(stream.text(), "worker.updated") >= before + 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(workerReads).toBe(2);
    expect(count(stream.text(), "worker.updated")).toBe(before + 2);
    stream.close();
  });

  it("gives each stream what its reader may see: a member their own keys, the owner every key", async () => {
    const bob = await signUp(deps, { email: "bob@example.com", password: "long enough", name: "Bob" }, "t");
    await joinWorkspace(deps, { workspaceId, inviter: alice, joiner: bob.user, role: "member" });
    const owners = await openStream(aliceSession);
    const members = await openStream(bob.token);

    await createApiKey(deps, { workspaceId, actor: alice, name: "alice-key" });
    await createApiKey(deps, { workspaceId, actor: bob.user, name: "bob-key" });
    await until(
      () => count(owners.text(), "api_key.created") === 2 && count(members.text(), "api_key.created") === 1,
    );
    expect(members.text()).toContain('"name":"bob-key"');
    expect(members.text()).not.toContain('"name":"alice-key"');

    // A removed member's stream ends at once; the others go on.
    await removeMember(deps, { workspaceId, actor: userActor(alice), targetId: bob.user.id });
    await members.ended;
    await until(() => count(owners.text(), "api_key.revoked") === 1);
    expect(owners.text()).toContain('"name":"bob-key"');
    owners.close();
  });

  it("regression: a stream outlived sign-out by up to 15 s; now it ends at once, and the user's other sessions keep theirs", async () => {
    const other = await logIn(deps, { email: "alice@example.com", password: "long enough" }, "t");
    const signingOut = await openStream(aliceSession);
    const staying = await openStream(other.token);
    let stayingEnded = false;
    void staying.ended.then(() => {
      stayingEnded = true;
    });

    const startedAt = Date.now();
    const logout = await app.http.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      cookies: { cogno_session: aliceSession },
    });
    expect(logout.statusCode).toBe(204);
    const outcome = await Promise.race([
      signingOut.ended.then(() => "ended"),
      new Promise((resolve) => setTimeout(resolve, 2_000, "still open")),
    ]);
    expect(outcome).toBe("ended");
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stayingEnded).toBe(false);
    staying.close();
  });
});
