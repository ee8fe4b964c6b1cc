/**
 * Several cogno-server replicas on one PostgreSQL: revocation, the key limit, presence and live
 * events must hold whichever replica a request or a worker lands on. Needs PostgreSQL, so it runs
 * in the PostgreSQL pass of the suite.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  apiKeyDetailResponseSchema,
  apiKeysResponseSchema,
  errorBodySchema,
  revokeApiKeyResponseSchema,
  workersResponseSchema,
} from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { CLI_BIN } from "../support/paths.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered } from "../support/worker-socket.ts";

const HEARTBEAT_MS = 400;
const env = { COGNO_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) };

describe.runIf(TEST_ENGINE === "postgres")("replicas on one PostgreSQL", () => {
  let store: TestStore;
  let a: RunningServer;
  let b: RunningServer;
  let owner: Awaited<ReturnType<typeof signUpWithWorkspace>>;

  beforeAll(async () => {
    store = await createTestStore("postgres");
    // Both start at once on an empty database: the migration lock lets exactly one migrate.
    [a, b] = await Promise.all([startServer({ store, env }), startServer({ store, env })]);
    owner = await signUpWithWorkspace(a.url);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await store?.cleanup();
  });

  /** The owner's session, sent to a chosen replica. */
  function onReplica(server: RunningServer) {
    const client = new ApiClient(server.url);
    return {
      get: (url: string) =>
        client.request("GET", url, undefined, { cookie: owner.client.sessionCookie ?? "" }),
      post: (url: string, body: unknown) =>
        client.request("POST", url, body, { cookie: owner.client.sessionCookie ?? "" }),
      delete: (url: string) =>
        client.request("DELETE", url, undefined, { cookie: owner.client.sessionCookie ?? "" }),
    };
  }

  const workersPath = () => `/api/v1/workspaces/${owner.workspaceId}/workers`;
  async function statusVia(server: RunningServer, workerId: string) {
    const response = await onReplica(server).get(workersPath());
    return bodyOf(response, workersResponseSchema).workers.find((worker) => worker.id === workerId)?.status;
  }

  it("revokes through replica A a real cogno daemon connected to replica B: it exits 3 within 1 s", async () => {
    const { apiKey, key } = await createKey(owner, "replica-b-worker");
    const configHome = await mkdtemp(path.join(tmpdir(), "cogno-cli-"));
    const daemon = spawn(process.execPath, [CLI_BIN], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: configHome,
        XDG_CONFIG_HOME: configHome,
        COGNO_SERVER: b.url,
        COGNO_TOKEN: key,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    daemon.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    daemon.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => daemon.once("exit", (code) => resolve(code)));
    try {
      const listed = await waitFor(
        () => onReplica(a).get(`/api/v1/workspaces/${owner.workspaceId}/api-keys/${apiKey.id}`),
        (response) => apiKeyDetailResponseSchema.safeParse(response.body).data?.workers.length === 1,
        10_000,
      );
      expect(bodyOf(listed, apiKeyDetailResponseSchema).workers).toHaveLength(1);

      const revoked = await onReplica(a).delete(
        `/api/v1/workspaces/${owner.workspaceId}/api-keys/${apiKey.id}`,
      );
      expect(revoked.status).toBe(200);
      expect(bodyOf(revoked, revokeApiKeyResponseSchema).disconnectedWorkers).toBe(1);
      const answeredAt = Date.now();
      // No request that starts after the answer succeeds, on either replica.
      for (const server of [a, b]) {
        const whoami = await new ApiClient(server.url).request("GET", "/api/v1/worker/whoami", undefined, {
          authorization: `Bearer ${key}`,
        });
        expect(bodyOf(whoami, errorBodySchema).error.code).toBe("api_key_revoked");
      }
      const code = await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(() => resolve("timeout"), 1_000)),
      ]);
      expect(code, output).toBe(3);
      expect(Date.now() - answeredAt).toBeLessThan(1_000);
      expect(output).toContain(apiKey.prefix);
      expect(output).not.toContain(key.slice(17));
    } finally {
      daemon.kill("SIGKILL");
      await rm(configHome, { recursive: true, force: true });
    }
  });

  it("holds the 25-key limit when 100 creates are split across two replicas", async () => {
    const racer = await signUpWithWorkspace(a.url, "Racer");
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        new ApiClient(i % 2 === 0 ? a.url : b.url).request(
          "POST",
          `/api/v1/workspaces/${racer.workspaceId}/api-keys`,
          { name: `race-${i}` },
          { cookie: racer.client.sessionCookie ?? "" },
        ),
      ),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(25);
    expect(statuses.filter((status) => status === 409)).toHaveLength(75);
    const listed = await racer.client.get(`/api/v1/workspaces/${racer.workspaceId}/api-keys`);
    expect(bodyOf(listed, apiKeysResponseSchema).apiKeys).toHaveLength(25);
  });

  it("shows a worker on B as online through A, and streams its updates to A's event stream", async () => {
    const { key } = await createKey(owner, "presence-across");
    const events = await fetch(`${a.url}/api/v1/workspaces/${owner.workspaceId}/events`, {
      headers: { cookie: owner.client.sessionCookie ?? "" },
    });
    const reader = events.body?.getReader();
    const worker = await connectRegistered(b.url, key, randomUUID(), "across-box");
    expect(await statusVia(a, worker.workerId)).toBe("online");

    let streamed = "";
    const deadline = Date.now() + 5_000;
    while (reader && !streamed.includes(worker.workerId) && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      streamed += new TextDecoder().decode(chunk.value);
    }
    expect(streamed).toContain("event: worker.updated");
    expect(streamed).toContain(worker.workerId);
    await reader?.cancel();
    worker.socket.close();
  });

  it("closes worker sockets with 1001 when a replica shuts down, and they can reconnect to the other", async () => {
    const c = await startServer({ store, env });
    const { key } = await createKey(owner, "going-away");
    const machineId = randomUUID();
    const worker = await connectRegistered(c.url, key, machineId);
    await c.stop("SIGTERM");
    expect((await worker.closed).code).toBe(1001);
    const again = await connectRegistered(a.url, key, machineId);
    expect(again.workerId).toBe(worker.workerId);
    expect(await statusVia(b, again.workerId)).toBe("online");
    again.socket.close();
  });

  it("shows the workers of a killed replica offline within 3 heartbeat intervals, then online once they reconnect", async () => {
    const doomed = await startServer({ store, env });
    const { key } = await createKey(owner, "killed-replica");
    const machineId = randomUUID();
    const worker = await connectRegistered(doomed.url, key, machineId);
    const beat = setInterval(() => worker.send({ type: "heartbeat" }), HEARTBEAT_MS);
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 2));
    expect(await statusVia(a, worker.workerId)).toBe("online");

    await doomed.stop("SIGKILL");
    clearInterval(beat);
    const killedAt = Date.now();
    const offline = await waitFor(
      () => statusVia(a, worker.workerId),
      (status) => status === "offline",
      HEARTBEAT_MS * 6,
    );
    expect(offline).toBe("offline");
    // Offline no later than 3 missed intervals after the last heartbeat written, plus one write interval.
    expect(Date.now() - killedAt).toBeLessThanOrEqual(HEARTBEAT_MS * 5);

    const back = await connectRegistered(b.url, key, machineId);
    expect(back.workerId).toBe(worker.workerId);
    expect(await statusVia(a, back.workerId)).toBe("online");
    back.socket.close();
  });
});
