/** The worker gateway at the protocol level: authentication, presence, revocation, abuse. */
import { randomUUID } from "node:crypto";
import {
  apiKeyDetailResponseSchema,
  generateApiKey,
  revokeApiKeyResponseSchema,
  workersResponseSchema,
} from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered, connectWorker, isRefusal } from "../support/worker-socket.ts";

const HEARTBEAT_MS = 300;
let store: TestStore;
let server: RunningServer;
let owner: Awaited<ReturnType<typeof signUpWithWorkspace>>;

beforeAll(async () => {
  store = await createTestStore();
  server = await startServer({ store, env: { COGNO_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) } });
  owner = await signUpWithWorkspace(server.url);
});

afterAll(async () => {
  await server?.stop();
  await store?.cleanup();
});

async function listWorkers() {
  const response = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers`);
  expect(response.status).toBe(200);
  return bodyOf(response, workersResponseSchema).workers;
}

async function workerStatus(workerId: string) {
  return (await listWorkers()).find((worker) => worker.id === workerId);
}

describe("authentication happens before the upgrade", () => {
  it("answers 401 with the error body for a missing, malformed, unknown or revoked key", async () => {
    const missing = await connectWorker(server.url, undefined);
    expect(isRefusal(missing) && missing.status).toBe(401);
    expect(isRefusal(missing) && missing.body.error.code).toBe("api_key_malformed");

    const truncated = await connectWorker(server.url, generateApiKey().slice(0, 50));
    expect(isRefusal(truncated) && truncated.body.error.code).toBe("api_key_malformed");

    const unknown = await connectWorker(server.url, generateApiKey());
    expect(isRefusal(unknown) && unknown.body.error.code).toBe("api_key_invalid");

    const { apiKey, key } = await createKey(owner, "soon-revoked");
    await owner.client.delete(`/api/v1/workspaces/${owner.workspaceId}/api-keys/${apiKey.id}`);
    const revoked = await connectWorker(server.url, key);
    expect(isRefusal(revoked) && revoked.status).toBe(401);
    expect(isRefusal(revoked) && revoked.body.error.code).toBe("api_key_revoked");
  });
});

describe("presence", () => {
  it("registers a worker that shows online with its key, and its heartbeats advance", async () => {
    const { apiKey, key } = await createKey(owner, "presence-key");
    const worker = await connectRegistered(server.url, key, randomUUID(), "presence-box");
    expect(worker.workerId).toMatch(/^wkr_/);
    expect(worker.heartbeatIntervalMs).toBe(HEARTBEAT_MS);

    const first = await workerStatus(worker.workerId);
    expect(first?.status).toBe("online");
    expect(first?.apiKey.prefix).toBe(apiKey.prefix);

    const beat = setInterval(() => worker.send({ type: "heartbeat" }), HEARTBEAT_MS / 2);
    const later = await waitFor(
      () => workerStatus(worker.workerId),
      (row) => row !== undefined && (row.lastHeartbeatAt ?? "") > (first?.lastHeartbeatAt ?? ""),
    );
    clearInterval(beat);
    expect((later?.lastHeartbeatAt ?? "") > (first?.lastHeartbeatAt ?? "")).toBe(true);
    expect(later?.status).toBe("online");
    worker.socket.close();
  });

  it("shows stopped after a clean stop, and offline after the connection drops", async () => {
    const { key } = await createKey(owner, "stop-key");
    const stopping = await connectRegistered(server.url, key, randomUUID());
    stopping.send({ type: "stopping" });
    await stopping.closed;
    expect(
      (
        await waitFor(
          () => workerStatus(stopping.workerId),
          (row) => row?.status === "stopped",
        )
      )?.status,
    ).toBe("stopped");

    const dropping = await connectRegistered(server.url, key, randomUUID());
    dropping.socket.terminate();
    expect(
      (
        await waitFor(
          () => workerStatus(dropping.workerId),
          (row) => row?.status === "offline",
        )
      )?.status,
    ).toBe("offline");
  });

  it("drops a worker that went silent (no heartbeats, socket still open) after 3 intervals", async () => {
    const { key } = await createKey(owner, "silent-key");
    // Measured from before the register message: the server counts silence from that message.
    const openedAt = Date.now();
    const silent = await connectRegistered(server.url, key, randomUUID());
    const closed = await silent.closed; // the server ends it: the client never closes
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(HEARTBEAT_MS * 3);
    expect(closed.code).toBe(1006);
    const row = await waitFor(
      () => workerStatus(silent.workerId),
      (worker) => worker?.status === "offline",
    );
    expect(row?.status).toBe("offline");
  });

  it("keeps one row per machine: a new connection replaces the old one", async () => {
    const { key } = await createKey(owner, "twin-key");
    const machineId = randomUUID();
    const first = await connectRegistered(server.url, key, machineId);
    const second = await connectRegistered(server.url, key, machineId);
    expect(second.workerId).toBe(first.workerId);
    const replaced = await first.closed;
    expect(replaced.code).toBe(4000);
    const rows = (await listWorkers()).filter((worker) => worker.id === first.workerId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("online");
    second.socket.close();
  });
});

describe("revocation", () => {
  it("removing a member revokes their keys and cuts off their workers at once", async () => {
    const member = await addMember(owner, "member", "leaving");
    const { apiKey, key } = await createKey(
      { client: member.client, workspaceId: owner.workspaceId },
      "member-box",
    );
    const worker = await connectRegistered(server.url, key, randomUUID());
    const received = worker.next();
    const removed = await owner.client.delete(
      `/api/v1/workspaces/${owner.workspaceId}/members/${member.user.id}`,
    );
    expect(removed.status).toBe(204);
    expect(await received).toEqual({
      type: "revoked",
      apiKey: { id: apiKey.id, name: "member-box", prefix: apiKey.prefix },
      reason: "member_removed",
    });
    expect((await worker.closed).code).toBe(4001);
    expect((await workerStatus(worker.workerId))?.status).toBe("revoked");
  });

  it("tells every worker on the key and closes it with 4001 before the DELETE answers", async () => {
    const { apiKey, key } = await createKey(owner, "revoke-me");
    const other = await createKey(owner, "keep-me");
    const workers = await Promise.all([1, 2, 3].map(() => connectRegistered(server.url, key, randomUUID())));
    const bystander = await connectRegistered(server.url, other.key, randomUUID());
    const received = workers.map((worker) => worker.next());

    const detail = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys/${apiKey.id}`);
    expect(
      bodyOf(detail, apiKeyDetailResponseSchema)
        .workers.map((worker) => worker.id)
        .sort(),
    ).toEqual(workers.map((worker) => worker.workerId).sort());

    const response = await owner.client.delete(
      `/api/v1/workspaces/${owner.workspaceId}/api-keys/${apiKey.id}`,
    );
    expect(response.status).toBe(200);
    expect(bodyOf(response, revokeApiKeyResponseSchema).disconnectedWorkers).toBe(3);
    for (const message of await Promise.all(received)) {
      expect(message).toEqual({
        type: "revoked",
        apiKey: { id: apiKey.id, name: "revoke-me", prefix: apiKey.prefix },
        reason: "revoked",
      });
    }
    for (const closed of await Promise.all(workers.map((worker) => worker.closed)))
      expect(closed.code).toBe(4001);

    const statuses = await listWorkers();
    for (const worker of workers)
      expect(statuses.find((row) => row.id === worker.workerId)?.status).toBe("revoked");
    expect(statuses.find((row) => row.id === bystander.workerId)?.status).toBe("online");
    expect(bystander.socket.readyState).toBe(bystander.socket.OPEN);
    bystander.socket.close();
  });
});

describe("protocol errors", () => {
  it("closes with 4000 on bad JSON, a missing register, or a flood, without harming other workers", async () => {
    const { key } = await createKey(owner, "abuse-key");
    const healthy = await connectRegistered(server.url, key, randomUUID());

    const garbage = await connectWorker(server.url, key);
    if (isRefusal(garbage)) throw new Error("refused");
    garbage.send("not json");
    expect((await garbage.next()).type).toBe("error");
    expect((await garbage.closed).code).toBe(4000);

    const unregistered = await connectWorker(server.url, key);
    if (isRefusal(unregistered)) throw new Error("refused");
    unregistered.send({ type: "heartbeat" });
    expect((await unregistered.closed).code).toBe(4000);

    const flooder = await connectRegistered(server.url, key, randomUUID());
    for (let i = 0; i < 200; i++) flooder.send({ type: "heartbeat" });
    expect((await flooder.closed).code).toBe(4000);

    const oversized = await connectRegistered(server.url, key, randomUUID());
    oversized.send({ type: "heartbeat", padding: "x".repeat(64 * 1024) });
    expect((await oversized.closed).code).toBe(1009);

    expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
    expect((await workerStatus(healthy.workerId))?.status).toBe("online");
    healthy.socket.close();
  });
});
