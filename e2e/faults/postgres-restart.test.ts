/**
 * Real PostgreSQL restarts (`pg_ctlcluster … restart`, fast and immediate) under load, with two
 * replicas and workers connected to the second. No replica may exit or answer 500; requests the
 * database cannot serve get 503 with Retry-After; a key revoked while the replicas are still
 * reconnecting is refused on every replica from the moment its DELETE answered, and its worker on
 * the other replica is cut off (nothing missed: the replica catches up from the key-change log).
 *
 * It restarts the machine's shared PostgreSQL, so it runs only when COGNO_TEST_RESTART_POSTGRES=1,
 * alone, after the rest of the suite (scripts/test.mjs; CI sets it).
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, bearer, createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered, type TestWorker } from "../support/worker-socket.ts";
import { expectNoServerErrors, expectServing, outcome, startChurn } from "./churn.ts";

const RESTARTS = TEST_ENGINE === "postgres" && process.env.COGNO_TEST_RESTART_POSTGRES === "1";

async function restartPostgres(mode: "fast" | "immediate"): Promise<number> {
  const [version] = readdirSync("/etc/postgresql");
  if (version === undefined) throw new Error("no PostgreSQL cluster under /etc/postgresql");
  const startedAt = Date.now();
  await promisify(execFile)("pg_ctlcluster", [
    "--skip-systemctl-redirect",
    version,
    "main",
    "restart",
    "--",
    "-m",
    mode,
  ]);
  return Date.now() - startedAt;
}

/** whoami with `key` on `url`, in a loop until stopped: what each answer was. */
function startWhoamiLoop(url: string, key: string) {
  const tally = new Map<string, number>();
  let running = true;
  const client = new ApiClient(url);
  const done = (async () => {
    while (running) {
      try {
        const result = outcome(await client.request("GET", "/api/v1/worker/whoami", undefined, bearer(key)));
        tally.set(result, (tally.get(result) ?? 0) + 1);
      } catch (error) {
        const result = `no answer: ${error instanceof Error ? error.message : String(error)}`;
        tally.set(result, (tally.get(result) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return Object.fromEntries(tally);
    },
  };
}

/** Resolves with the close code, or undefined if the socket is still open after `ms`. */
function closedWithin(worker: TestWorker, ms: number) {
  return Promise.race([worker.closed, new Promise<undefined>((resolve) => setTimeout(resolve, ms))]);
}

describe.runIf(RESTARTS)("PostgreSQL restarts under load, two replicas", () => {
  let store: TestStore;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    store = await createTestStore("postgres");
    [a, b] = await Promise.all([
      startServer({ store, timeoutMs: 60_000 }),
      startServer({ store, timeoutMs: 60_000 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await store?.cleanup();
  });

  afterEach(() => {
    expect(a.process.exitCode, a.output().slice(-3_000)).toBeNull();
    expect(b.process.exitCode, b.output().slice(-3_000)).toBeNull();
  });

  it.each(["fast", "immediate"] as const)(
    "restart -m %s: no replica exits or answers 500, and a key revoked right after it is refused everywhere and cut off on the other replica",
    async (mode) => {
      const owner = await signUpWithWorkspace(a.url);
      const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
      const [revokedAfter, revokedLater, loadKey] = await Promise.all([
        createKey(owner, "revoked-after-restart"),
        createKey(owner, "revoked-later"),
        createKey(owner, "load"),
      ]);
      const [workerAfter, workerLater] = await Promise.all([
        connectRegistered(b.url, revokedAfter.key, `restart-${mode}-after`),
        connectRegistered(b.url, revokedLater.key, `restart-${mode}-later`),
      ]);
      const churn = startChurn(owner);
      const keyLoad = startWhoamiLoop(b.url, loadKey.key);
      await new Promise((resolve) => setTimeout(resolve, 500));

      const restartMs = await restartPostgres(mode);
      const restartedAt = Date.now();

      // At once, while the replicas are still finding the database again: revoke through A.
      let answeredAt = 0;
      await waitFor(
        async () => {
          const response = await owner.client.delete(`${keysPath}/${revokedAfter.apiKey.id}`);
          answeredAt = Date.now();
          return outcome(response);
        },
        (result) => result === "200",
        30_000,
      );
      // From that answer on, B never accepts the key: 401, or 503 while it cannot read the database.
      const onB = new ApiClient(b.url);
      const bAnswers: string[] = [];
      await waitFor(
        async () => {
          const result = outcome(
            await onB.request("GET", "/api/v1/worker/whoami", undefined, bearer(revokedAfter.key)),
          );
          bAnswers.push(result);
          return result;
        },
        (result) => result.startsWith("401"),
        20_000,
      );
      expect(bAnswers.filter((result) => !/^(401|503 service_unavailable retry-after)/.test(result))).toEqual(
        [],
      );
      // Its worker on B is cut off, by the announcement or by B's catch-up from the log.
      expect((await closedWithin(workerAfter, 10_000))?.code).toBe(4001);

      for (const replica of [a, b]) {
        await waitFor(
          async () => (await new ApiClient(replica.url).get("/readyz")).status,
          (status) => status === 200,
          30_000,
        );
      }
      const [tally, keyTally] = await Promise.all([churn.stop(), keyLoad.stop()]);
      console.info(
        `PostgreSQL restarted (-m ${mode}) in ${restartMs} ms; the revoke answered 200 ${answeredAt - restartedAt} ms after; churn on A ${JSON.stringify(tally)}; whoami on B ${JSON.stringify(keyTally)}; B on the revoked key ${JSON.stringify(bAnswers)}`,
      );
      expectNoServerErrors(tally);
      expectNoServerErrors(keyTally);
      expect(tally["503 service_unavailable retry-after"], "no request met the restart").toBeGreaterThan(0);

      // Settled: the next revocation is acknowledged by B before the DELETE answers.
      const response = await owner.client.delete(`${keysPath}/${revokedLater.apiKey.id}`);
      expect(response.status).toBe(200);
      expect(await workerLater.next(2_000)).toMatchObject({ type: "revoked" });
      expect((await closedWithin(workerLater, 5_000))?.code).toBe(4001);
      await expectServing(a.url);
      await expectServing(b.url);
    },
  );
});
