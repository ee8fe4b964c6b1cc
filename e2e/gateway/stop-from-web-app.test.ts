/**
 * Stop one worker from the web app (API.md v1.1 "Workers"), end to end with the real daemon: the
 * daemon hears `disconnected` (who stopped it) and close 4002, prints who stopped it, exits 0 and
 * does not reconnect; the key stays valid, so running cogno again brings the same worker back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "../cli/cli-process.ts";
import { type CliFixture, startCliFixture } from "../cli/fixture.ts";
import { createMachine } from "../support/machine.ts";
import { waitFor } from "../support/wait-for.ts";

let fixture: CliFixture;

beforeAll(async () => {
  fixture = await startCliFixture();
});

afterAll(async () => {
  await fixture?.close();
});

describe("stopping a worker from the web app", () => {
  it("ends the daemon with exit 0, naming who stopped it, and the key still works", async () => {
    const machine = await createMachine();
    const { key } = await fixture.createKey("stoppable");
    expect((await runCli(machine, ["login", "--token", key, "--server", fixture.server.url])).code).toBe(0);
    const daemon = startCli(machine, []);
    const [, workerId] = await daemon.waitForOutput(/registered (?:again )?as (wkr_\w+)/);

    const stopped = await fixture.owner.client.post(
      `/api/v1/workspaces/${fixture.owner.workspaceId}/workers/${workerId}/disconnect`,
    );
    expect(stopped.status).toBe(200);

    const exit = await daemon.exited;
    expect(exit.code, daemon.output()).toBe(0);
    expect(daemon.output()).toContain("stopped from the web app by Owner");
    expect(daemon.output()).not.toContain("reconnecting");
    expect((await fixture.listWorkers()).find((row) => row.id === workerId)?.status).toBe("stopped");

    // The key stays valid: running cogno again reconnects the same worker.
    const again = startCli(machine, []);
    const [, sameId] = await again.waitForOutput(/registered (?:again )?as (wkr_\w+)/);
    expect(sameId).toBe(workerId);
    await waitFor(
      async () => (await fixture.listWorkers()).find((row) => row.id === workerId)?.status,
      (status) => status === "online",
    );
    again.child.kill("SIGTERM");
    expect((await again.exited).code).toBe(0);
  });
});
