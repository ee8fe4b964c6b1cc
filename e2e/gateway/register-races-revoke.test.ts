/**
 * A register racing the key's DELETE (issue 8 #1): whichever wins, nothing is written after the
 * DELETE answered. A row may exist only for a register sent before the answer and written before it
 * (registeredAt and lastHeartbeatAt not after the answer), and what the socket sends after the
 * answer (another register, heartbeats) writes nothing. 100 tries; on PostgreSQL the socket is on replica B and the
 * DELETE goes to replica A.
 */
import { apiKeyDetailResponseSchema, revokeApiKeyResponseSchema } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { openRawWorker, type RawWorker } from "./raw-socket.ts";

const TRIES = 100;

let store: TestStore;
let replicaA: RunningServer;
let replicaB: RunningServer;

beforeAll(async () => {
  store = await createTestStore();
  replicaA = await startServer({ store });
  replicaB = TEST_ENGINE === "postgres" ? await startServer({ store }) : replicaA;
});

afterAll(async () => {
  await replicaA?.stop();
  if (replicaB !== replicaA) await replicaB?.stop();
  await store?.cleanup();
});

function register(machineId: string) {
  return {
    type: "register",
    machineId,
    name: machineId,
    hostname: "racer",
    os: "linux",
    arch: "x64",
    version: "1",
  };
}

describe("register racing the key's DELETE", () => {
  it(`writes nothing after the DELETE answered (${TRIES} tries)`, async () => {
    const owner = await signUpWithWorkspace(replicaA.url);
    const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    const sockets: RawWorker[] = [];
    let registeredFirst = 0;
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const { apiKey, key } = await createKey(owner, `race-${attempt}`);
      const socket = await openRawWorker(replicaB.url, key);
      sockets.push(socket);
      // Vary which one leaves first: the register, the DELETE, or both in the same moment.
      const lead = attempt % 3;
      if (lead === 0) socket.send(register(`racer-${attempt}`));
      const deleting = owner.client.delete(`${keysPath}/${apiKey.id}`);
      if (lead === 1) socket.send(register(`racer-${attempt}`));
      const answered = await deleting;
      // The servers stamp rows with this machine's clock, as the test does.
      const answeredAt = new Date().toISOString();
      if (lead === 2) socket.send(register(`racer-${attempt}`));
      expect(answered.status).toBe(200);
      expect(revokeApiKeyResponseSchema.parse(answered.body).apiKey.revokedAt).not.toBeNull();
      // After the answer: everything a client could try.
      socket.send(register(`after-${attempt}`));
      socket.send({ type: "heartbeat" });

      const detail = apiKeyDetailResponseSchema.parse(
        (await owner.client.get(`${keysPath}/${apiKey.id}`)).body,
      );
      for (const row of detail.recentWorkers) {
        expect(row.name).toBe(`racer-${attempt}`);
        // A register racing the revocation may commit just before it (its time stamped a moment
        // after revokedAt, which is stamped before the revocation commits), never after the answer.
        expect(row.registeredAt <= answeredAt, `${row.registeredAt} > ${answeredAt}`).toBe(true);
        expect((row.lastHeartbeatAt ?? "") <= answeredAt).toBe(true);
        expect(row.status).toBe("revoked");
      }
      if (socket.messages.some((message) => message.type === "registered")) registeredFirst++;
    }
    // Every socket is destroyed, and `revoked` is the last thing each was told: the DELETE answers
    // only once every replica has cut the key off, so nothing is answered after it. One whose
    // register left after the answer is never told it registered.
    await Promise.all(sockets.map((socket) => socket.gone));
    sockets.forEach((socket, attempt) => {
      expect(socket.messages.at(-1)).toMatchObject({ type: "revoked" });
      if (attempt % 3 === 2) {
        expect(socket.messages.map((message) => message.type)).not.toContain("registered");
      }
    });
    console.log(`register answered before the revocation in ${registeredFirst} of ${TRIES} tries`);
  });
});
