/**
 * Revocation no client can outrun (issue 8 #1, API.md v1.1): once the DELETE (or the member
 * removal) has answered, nothing a socket of that key sends is acted on, and its TCP connection is
 * destroyed whatever the client does. The client here ignores close frames and keeps sending
 * register and heartbeat after the answer. On PostgreSQL the DELETE goes to replica A and the
 * client sits on replica B.
 */
import { type Worker, workersResponseSchema } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { openRawWorker, type RawWorker } from "./raw-socket.ts";

// Long enough that the gateway's silent-socket drop (3 intervals) cannot be what ends the TCP
// connection within the bound below, and short enough that a heartbeat write would have happened.
const HEARTBEAT_MS = 1_500;
/** The TCP connection must be gone this soon after the answer (the issue asks for 1 s; slack for CI). */
const GONE_WITHIN_MS = 2_000;

let store: TestStore;
let replicaA: RunningServer;
let replicaB: RunningServer;

beforeAll(async () => {
  store = await createTestStore();
  const env = { COGNO_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) };
  replicaA = await startServer({ store, env });
  replicaB = TEST_ENGINE === "postgres" ? await startServer({ store, env }) : replicaA;
});

afterAll(async () => {
  await replicaA?.stop();
  if (replicaB !== replicaA) await replicaB?.stop();
  await store?.cleanup();
});

function register(machineId: string, hostname = `${machineId}.local`) {
  return {
    type: "register",
    machineId,
    name: machineId,
    hostname,
    os: "linux",
    arch: "x64",
    version: "1.1.0",
  };
}

async function registered(worker: RawWorker): Promise<string> {
  for (let i = 0; i < 100 && worker.messages.length === 0; i++) await sleep(20);
  const first = worker.messages[0];
  if (first?.type !== "registered") throw new Error(`expected registered, got ${JSON.stringify(first)}`);
  return first.workerId;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`${what} not within ${ms} ms`);
    }),
  ]);
}

async function workersOf(owner: Awaited<ReturnType<typeof signUpWithWorkspace>>): Promise<Worker[]> {
  const response = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers?limit=200`);
  expect(response.status).toBe(200);
  return workersResponseSchema.parse(response.body).workers;
}

const cases = [
  {
    name: "after the key's DELETE answered",
    reason: "revoked",
    async setUp(owner: Awaited<ReturnType<typeof signUpWithWorkspace>>) {
      const { apiKey, key } = await createKey(owner, "ignored-close");
      return {
        key,
        apiKey,
        revoke: async () => {
          const response = await owner.client.delete(
            `/api/v1/workspaces/${owner.workspaceId}/api-keys/${apiKey.id}`,
          );
          expect(response.status).toBe(200);
        },
      };
    },
  },
  {
    name: "after the key owner's removal answered",
    reason: "member_removed",
    async setUp(owner: Awaited<ReturnType<typeof signUpWithWorkspace>>) {
      const member = await addMember(owner, "member", "leaving");
      const { apiKey, key } = await createKey(
        { client: member.client, workspaceId: owner.workspaceId },
        "ignored-close",
      );
      return {
        key,
        apiKey,
        revoke: async () => {
          const response = await owner.client.delete(
            `/api/v1/workspaces/${owner.workspaceId}/members/${member.user.id}`,
          );
          expect(response.status).toBe(204);
        },
      };
    },
  },
] as const;

describe.each(cases)("a client that ignores the close, $name", ({ reason, setUp }) => {
  it("writes nothing more and loses its TCP connection", async () => {
    const owner = await signUpWithWorkspace(replicaA.url);
    const { key, apiKey, revoke } = await setUp(owner);

    // On replica B: a registered worker, a second one, and a socket that has not registered yet.
    const worker = await openRawWorker(replicaB.url, key);
    worker.send(register("machine-a"));
    const workerId = await registered(worker);
    const sibling = await openRawWorker(replicaB.url, key);
    sibling.send(register("machine-b"));
    const siblingId = await registered(sibling);
    const idle = await openRawWorker(replicaB.url, key);
    const before = await workersOf(owner);

    await revoke();

    // Keep sending as fast as a hostile client would, until the server destroys each connection.
    const hostile = (async () => {
      for (let round = 0; round < 100 && !(worker.isGone() && idle.isGone()); round++) {
        worker.send({ type: "heartbeat" });
        worker.send(register("machine-a", "rewritten.local"));
        idle.send(register("machine-new"));
        idle.send(register("machine-b", "taken.local"));
        idle.send({ type: "heartbeat" });
        await sleep(10);
      }
    })();
    await within(
      Promise.all([worker.gone, sibling.gone, idle.gone]),
      GONE_WITHIN_MS,
      "every TCP connection of the key gone",
    );
    await hostile;

    // Each was told why, and asked to close with 4001 (which this client ignored).
    for (const socket of [worker, sibling, idle]) {
      expect(socket.messages.at(-1)).toEqual({
        type: "revoked",
        apiKey: { id: apiKey.id, name: "ignored-close", prefix: apiKey.prefix },
        reason,
      });
      expect(socket.closeCode()).toBe(4001);
    }

    // Past a heartbeat write: no row added, none rewritten, no heartbeat recorded.
    await sleep(HEARTBEAT_MS * 1.5);
    const after = await workersOf(owner);
    expect(after.map((row) => row.id).sort()).toEqual([workerId, siblingId].sort());
    for (const row of before) {
      const now = after.find((candidate) => candidate.id === row.id);
      expect(now).toMatchObject({
        hostname: row.hostname,
        registeredAt: row.registeredAt,
        connectedAt: row.connectedAt,
        lastHeartbeatAt: row.lastHeartbeatAt,
        status: "revoked",
      });
    }
  });
});
