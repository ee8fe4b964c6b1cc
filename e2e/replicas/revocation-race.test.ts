/**
 * The revocation race across replicas (SPEC.md v1.1, "Revocation is acknowledged by every
 * replica"): requests and worker registrations on every replica race a DELETE on one of them, and
 * once the DELETE has answered, none of them succeeds, on any replica. Every replica verifies keys
 * from memory, so this holds only because the DELETE waits for each replica's acknowledgement: the
 * replicas other than the one revoking reach PostgreSQL over a link that delays every byte by 25 ms,
 * so a DELETE that answered without waiting would leave them trusting the key that long.
 * Needs PostgreSQL, so it runs in the PostgreSQL pass of the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { type Owner, raceRevocation, signUpWithWorkspace, startReplicas } from "./replica-set.ts";

const ROUNDS = 8;

describe.runIf(TEST_ENGINE === "postgres").each([2, 3])("the revocation race across %i replicas", (count) => {
  let store: TestStore;
  let replicas: RunningServer[];
  let owner: Owner;
  let farLink: TcpProxy;

  beforeAll(async () => {
    store = await createTestStore("postgres");
    const database = new URL(store.env.COGNO_DATABASE_URL ?? "");
    farLink = await startTcpProxy(
      { host: database.hostname, port: Number(database.port || 5432) },
      { latencyMs: 25 },
    );
    replicas = await startReplicas(store, count, farLink.port);
    const [first] = replicas;
    if (!first) throw new Error("no replica");
    owner = await signUpWithWorkspace(first.url);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await farLink?.close();
    await store?.cleanup();
  });

  it(`no request or register succeeds on any replica once the DELETE answered (${ROUNDS} rounds)`, async () => {
    const totals = { requests: 0, registers: 0, late: 0, lateRegisters: 0, early: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const result = await raceRevocation(store, replicas, owner, {
        requests: 160,
        concurrency: 8,
        registers: 16,
      });
      expect(result.deleteStatus).toBe(200);
      expect(result.lateSuccesses).toEqual([]);
      expect(result.lateRows).toEqual([]);
      totals.requests += result.attempts.filter((attempt) => attempt.kind === "request").length;
      totals.registers += result.attempts.filter((attempt) => attempt.kind === "register").length;
      const late = result.attempts.filter((attempt) => attempt.sentAt > result.answeredAt);
      totals.late += late.length;
      totals.lateRegisters += late.filter((attempt) => attempt.kind === "register").length;
      totals.early += result.attempts.filter((attempt) => attempt.succeeded).length;
    }
    console.info(`revocation race, ${count} replicas: ${JSON.stringify(totals)}`);
    expect(totals.requests).toBeGreaterThanOrEqual(1_000);
    expect(totals.registers).toBeGreaterThanOrEqual(100);
    // The race was a race: some attempts won before the DELETE, and many came after it.
    expect(totals.early).toBeGreaterThan(0);
    expect(totals.late).toBeGreaterThanOrEqual(100);
    expect(totals.lateRegisters).toBeGreaterThan(0);
  });
});
