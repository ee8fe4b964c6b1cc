/**
 * Per-key limits (issue 8 #14): a key holds at most COGNO_MAX_CONNECTIONS_PER_KEY sockets (more are
 * refused with 429 rate_limited before the upgrade, even when they arrive at once), and registers at
 * most COGNO_NEW_WORKERS_PER_KEY_PER_MINUTE new machines (more are told rate_limited and closed
 * with 1013 "try again later"); a machine that registered before always comes back.
 */
import { randomUUID } from "node:crypto";
import { workersResponseSchema } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { useServer } from "../support/server.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered, connectWorker, isRefusal, type TestWorker } from "../support/worker-socket.ts";

const MAX_CONNECTIONS = 4;
const NEW_PER_MINUTE = 2;
const fixture = useServer({
  COGNO_MAX_CONNECTIONS_PER_KEY: String(MAX_CONNECTIONS),
  COGNO_NEW_WORKERS_PER_KEY_PER_MINUTE: String(NEW_PER_MINUTE),
});

function register(worker: TestWorker, machineId: string) {
  worker.send({
    type: "register",
    machineId,
    name: machineId,
    hostname: "h",
    os: "linux",
    arch: "x64",
    version: "1",
  });
}

describe("connections per key", () => {
  it("refuses the connection over the cap with 429 before the upgrade, even for a burst, and only for that key", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { key } = await createKey(owner, "capped");
    const other = await createKey(owner, "other");

    const burst = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS + 6 }, () => connectWorker(fixture.server.url, key)),
    );
    const accepted = burst.filter((result): result is TestWorker => !isRefusal(result));
    const refused = burst.filter(isRefusal);
    expect(accepted).toHaveLength(MAX_CONNECTIONS);
    expect(refused).toHaveLength(6);
    for (const refusal of refused) {
      expect(refusal.status).toBe(429);
      expect(refusal.body.error.code).toBe("rate_limited");
    }

    // Another key is not affected.
    const unaffected = await connectWorker(fixture.server.url, other.key);
    expect(isRefusal(unaffected)).toBe(false);

    // A socket that closes frees its place.
    accepted[0]?.socket.close();
    const replacement = await waitFor(
      () => connectWorker(fixture.server.url, key),
      (result) => !isRefusal(result),
    );
    for (const worker of [...accepted, unaffected, replacement])
      if (!isRefusal(worker)) worker.socket.close();
  });
});

describe("new machines per key per minute", () => {
  it("closes with 1013 for a new machine over the cap, and still lets a known machine back", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { key } = await createKey(owner, "new-machines");
    const first = await connectRegistered(fixture.server.url, key, "machine-1");
    const second = await connectRegistered(fixture.server.url, key, "machine-2");

    const third = await connectWorker(fixture.server.url, key);
    if (isRefusal(third)) throw new Error(`refused: ${third.status}`);
    register(third, "machine-3");
    const told = await third.next();
    expect(told).toMatchObject({ type: "error", error: { code: "rate_limited" } });
    expect((await third.closed).code).toBe(1013);

    // machine-1 again (a restart): a known machine is not a new one.
    const firstClosed = first.closed;
    const back = await connectRegistered(fixture.server.url, key, "machine-1");
    expect(back.workerId).toBe(first.workerId);
    await firstClosed;

    // Another key has its own allowance.
    const other = await createKey(owner, "new-machines-2");
    const fresh = await connectRegistered(fixture.server.url, other.key, randomUUID());
    for (const worker of [second, back, fresh]) worker.socket.close();

    const rows = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers`);
    expect(bodyOf(rows, workersResponseSchema).workers.map((row) => row.name)).not.toContain("machine-3");
  });
});
