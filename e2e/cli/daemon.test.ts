/**
 * The worker daemon against the real server: the help page's "Use the key with the CLI", revocation
 * that stops the daemon at once, clean stops, two machines, rotation, server restarts and refused
 * keys at the socket.
 */
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { generateApiKey } from "@cogno/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createKey } from "../support/api.ts";
import { createMachine, type Machine } from "../support/machine.ts";
import { waitFor } from "../support/wait-for.ts";
import { type CliProcess, runCli, startCli } from "./cli-process.ts";
import {
  type CliFixture,
  HEARTBEAT_INTERVAL_MS,
  KEY_REFUSED,
  startCliFixture,
  type WorkerRow,
} from "./fixture.ts";

let fixture: CliFixture;
const daemons: CliProcess[] = [];

beforeAll(async () => {
  fixture = await startCliFixture();
});

afterAll(async () => {
  for (const daemon of daemons) if (daemon.child.exitCode === null) daemon.child.kill("SIGKILL");
  await fixture?.close();
});

async function loggedInMachine(
  keyName: string,
): Promise<{ machine: Machine; key: string; apiKey: { id: string; prefix: string } }> {
  const machine = await createMachine();
  const { key, apiKey } = await fixture.createKey(keyName);
  const login = await runCli(machine, ["login", "--token", key, "--server", fixture.server.url]);
  expect(login.code, login.output).toBe(0);
  return { machine, key, apiKey };
}

async function startDaemon(
  machine: Machine,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ daemon: CliProcess; workerId: string }> {
  const daemon = startCli(machine, args, { env });
  daemons.push(daemon);
  const [, workerId] = await daemon.waitForOutput(/registered (?:again )?as (wkr_\w+)/);
  if (workerId === undefined) throw new Error("no worker id");
  return { daemon, workerId };
}

/** A port nothing listens on: one the system just gave out and took back. */
async function findClosedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function workerRow(workerId: string): Promise<WorkerRow | undefined> {
  return (await fixture.listWorkers()).find((worker) => worker.id === workerId);
}

describe("the worker daemon", () => {
  it("registers, shows online with its key's prefix, and keeps heartbeating", async () => {
    const { machine, apiKey } = await loggedInMachine("online-worker");
    const { daemon, workerId } = await startDaemon(machine, ["--name", "ci-runner-1"]);
    const online = await waitFor(
      () => workerRow(workerId),
      (row) => row?.status === "online" && row.lastHeartbeatAt !== null,
    );
    expect(online?.name).toBe("ci-runner-1");
    expect(online?.apiKey.prefix).toBe(apiKey.prefix);
    const first = online?.lastHeartbeatAt ?? "";
    await waitFor(
      () => workerRow(workerId),
      (row) => (row?.lastHeartbeatAt ?? "") > first,
      5 * HEARTBEAT_INTERVAL_MS + 2_000,
    );
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
  });

  it("exits 3 within 1 s of the revoke response, saying which key and what to do; login with it then fails", async () => {
    const { machine, key, apiKey } = await loggedInMachine("revoked-while-running");
    const { daemon, workerId } = await startDaemon(machine);
    const revoke = await fixture.revokeKey(apiKey.id);
    const answeredAt = Date.now();
    expect(revoke.status).toBe(200);
    expect(revoke.body.disconnectedWorkers).toBe(1);
    const { code, at } = await daemon.exited;
    expect(code).toBe(KEY_REFUSED);
    expect(at - answeredAt).toBeLessThan(1_000);
    expect(daemon.output()).toContain(`revoked: key ${apiKey.prefix}… ("revoked-while-running")`);
    expect(daemon.output()).toContain("was refused: it was revoked.");
    expect(daemon.output()).toContain("cogno login --token <key>");
    expect((await workerRow(workerId))?.status).toBe("revoked");
    const again = await runCli(machine, ["login", "--token", key]);
    expect(again.code).toBe(KEY_REFUSED);
  });

  it("removing the key's owner from the workspace stops the daemon with exit 3, saying why (reason member_removed)", async () => {
    const member = await addMember(fixture.owner, "member", "Bob");
    const { key } = await createKey(
      { client: member.client, workspaceId: fixture.owner.workspaceId },
      "bob-laptop",
    );
    const machine = await createMachine();
    expect((await runCli(machine, ["login", "--token", key, "--server", fixture.server.url])).code).toBe(0);
    const { daemon } = await startDaemon(machine);
    const removed = await fixture.owner.client.delete(
      `/api/v1/workspaces/${fixture.owner.workspaceId}/members/${member.user.id}`,
    );
    expect(removed.status).toBe(204);
    expect((await daemon.exited).code).toBe(KEY_REFUSED);
    expect(daemon.output()).toContain("its owner was removed from the workspace");
    expect(daemon.output()).not.toContain("reconnecting");
  });

  it("on SIGTERM tells the server it is stopping, exits 0 and shows stopped", async () => {
    const { machine } = await loggedInMachine("sigterm-worker");
    const { daemon, workerId } = await startDaemon(machine);
    await waitFor(
      () => workerRow(workerId),
      (row) => row?.status === "online",
    );
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
    expect(daemon.output()).toMatch(/stopped\n/);
    await waitFor(
      () => workerRow(workerId),
      (row) => row?.status === "stopped",
    );
  });

  it("two machines with two keys: revoking one key stops only its worker", async () => {
    const first = await loggedInMachine("machine-a-worker");
    const second = await loggedInMachine("machine-b-worker");
    const a = await startDaemon(first.machine);
    const b = await startDaemon(second.machine);
    expect(a.workerId).not.toBe(b.workerId);
    await fixture.revokeKey(first.apiKey.id);
    expect((await a.daemon.exited).code).toBe(KEY_REFUSED);
    // The other worker is untouched: still running and still heartbeating.
    const before = (await workerRow(b.workerId))?.lastHeartbeatAt ?? "";
    await waitFor(
      () => workerRow(b.workerId),
      (row) => row?.status === "online" && (row.lastHeartbeatAt ?? "") > before,
      5_000,
    );
    expect(b.daemon.child.exitCode).toBeNull();
    b.daemon.child.kill("SIGTERM");
    expect((await b.daemon.exited).code).toBe(0);
  });

  it("rotation on one machine keeps the worker id, never shows it offline, and revoking the old key does not touch it", async () => {
    const { machine, apiKey: oldKey } = await loggedInMachine("rotate-old");
    const first = await startDaemon(machine);
    // Watch the worker's status through all five steps: a restart may show "stopped", never "offline".
    const seen: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const status = (await workerRow(first.workerId))?.status;
        if (status !== undefined) seen.push(status);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    // 1–2. Create a new key and install it on the machine.
    const { key: newKey, apiKey: newKeyRef } = await fixture.createKey("rotate-new");
    const login = await runCli(machine, ["login", "--token", newKey]);
    expect(login.code).toBe(0);
    expect(login.output).toContain(`replaces key ${oldKey.prefix}…`);
    // 3. Restart the worker.
    first.daemon.child.kill("SIGTERM");
    expect((await first.daemon.exited).code).toBe(0);
    const second = await startDaemon(machine);
    // 4. It is the same worker, now on the new key.
    expect(second.workerId).toBe(first.workerId);
    const row = await waitFor(
      () => workerRow(second.workerId),
      (worker) => worker?.apiKey.id === newKeyRef.id && worker.status === "online",
    );
    expect(row?.apiKey.prefix).toBe(newKeyRef.prefix);
    // 5. Revoke the old key: the worker stays.
    const revoke = await fixture.revokeKey(oldKey.id);
    expect(revoke.body.disconnectedWorkers).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2 * HEARTBEAT_INTERVAL_MS));
    expect(second.daemon.child.exitCode).toBeNull();
    expect((await workerRow(second.workerId))?.status).toBe("online");
    expect((await fixture.listWorkers()).filter((worker) => worker.id === second.workerId)).toHaveLength(1);
    watching = false;
    await watcher;
    expect(seen.length).toBeGreaterThan(10);
    expect(seen).not.toContain("offline");
    expect(seen).toContain("online");
    second.daemon.child.kill("SIGTERM");
    await second.daemon.exited;
  });

  it("refuses unknown and revoked keys at the socket with exit 3, without retrying", async () => {
    const machine = await createMachine();
    const unknown = startCli(machine, [], {
      env: { COGNO_TOKEN: generateApiKey(), COGNO_SERVER: fixture.server.url },
    });
    expect((await unknown.exited).code).toBe(KEY_REFUSED);
    expect(unknown.output()).toMatch(/no such key/);
    expect(unknown.output()).toContain("COGNO_TOKEN");
    expect(unknown.output()).not.toContain("reconnecting");

    const { key, apiKey } = await fixture.createKey("revoked-at-socket");
    await fixture.revokeKey(apiKey.id);
    const revoked = startCli(machine, [], { env: { COGNO_TOKEN: key, COGNO_SERVER: fixture.server.url } });
    expect((await revoked.exited).code).toBe(KEY_REFUSED);
    expect(revoked.output()).toContain(`revoked: key ${apiKey.prefix}…`);

    const malformed = startCli(machine, [], {
      env: { COGNO_TOKEN: "cogno_wk_short", COGNO_SERVER: fixture.server.url },
    });
    expect((await malformed.exited).code).toBe(KEY_REFUSED);
    expect(malformed.output()).toContain("COGNO_TOKEN");
  });

  it("reconnects after a server restart and is online again, with no twin row", async () => {
    const { machine } = await loggedInMachine("restart-worker");
    const { daemon, workerId } = await startDaemon(machine);
    const rowsBefore = (await fixture.listWorkers()).length;
    await fixture.restartServer();
    await daemon.waitForOutput(/registered again as /, 30_000);
    await waitFor(
      () => workerRow(workerId),
      (row) => row?.status === "online",
    );
    expect((await fixture.listWorkers()).length).toBe(rowsBefore);
    // The draining server's 1001 brings it back at once, spread over 0–2 s, not after a backoff.
    const [, drainWait] =
      /connection lost \(the server is going away\); reconnecting in (\d+(?:\.\d)?) s/.exec(
        daemon.output(),
      ) ?? [];
    // At most 1,999 ms, printed to a tenth of a second: "2.0 s" at worst.
    expect(Number(drainWait)).toBeLessThanOrEqual(2);
    // And so does every attempt after it that found no server yet: no backoff while it restarts.
    const waits = [...daemon.output().matchAll(/reconnecting in (\d+(?:\.\d)?) s/g)].map(([, wait]) =>
      Number(wait),
    );
    expect(Math.max(...waits)).toBeLessThanOrEqual(2);
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
  });

  it("says a server URL that never answered could not be reached, instead of connection lost", async () => {
    const machine = await createMachine();
    const closedPort = await findClosedPort();
    const server = `http://127.0.0.1:${closedPort}`;
    const daemon = startCli(machine, [], { env: { COGNO_TOKEN: generateApiKey(), COGNO_SERVER: server } });
    daemons.push(daemon);
    await daemon.waitForOutput(
      new RegExp(
        `could not reach ${server.replaceAll(".", "\\.")}: connection refused — is the server running and the URL right\\? Retrying in `,
      ),
    );
    daemon.child.kill("SIGTERM");
    expect((await daemon.exited).code).toBe(0);
    expect(daemon.output()).not.toContain("connection lost");
  });

  it("a second daemon with the same config directory refuses to start, naming the first, which keeps running", async () => {
    const { machine } = await loggedInMachine("twin-daemon-worker");
    const first = await startDaemon(machine);
    const second = startCli(machine, []);
    daemons.push(second);
    expect((await second.exited).code).toBe(1);
    expect(second.output()).toContain(`Another cogno worker is already running from`);
    expect(second.output()).toContain(`pid ${first.daemon.child.pid}`);
    expect(second.output()).not.toContain("connecting to");
    // The first was never knocked off: still running, still one online row.
    expect(first.daemon.output()).not.toContain("replaced this connection");
    expect(first.daemon.child.exitCode).toBeNull();
    await waitFor(
      () => workerRow(first.workerId),
      (row) => row?.status === "online",
    );
    first.daemon.child.kill("SIGTERM");
    expect((await first.daemon.exited).code).toBe(0);
    // Its lock went with it: the machine can start a worker again.
    const again = await startDaemon(machine);
    expect(again.workerId).toBe(first.workerId);
    again.daemon.child.kill("SIGTERM");
    expect((await again.daemon.exited).code).toBe(0);
  });

  it("a copied machine id on another config directory: the newer connection replaces the older, which exits 1 (one period)", async () => {
    const a = await loggedInMachine("copied-id-a");
    const b = await loggedInMachine("copied-id-b");
    // As if one config directory had been copied to another machine (or another directory).
    const machineId = `mch_copied${Date.now()}`;
    for (const { machine } of [a, b]) {
      await writeFile(path.join(machine.configHome, "cogno", "machine-id"), `${machineId}\n`);
    }
    const first = await startDaemon(a.machine);
    const second = await startDaemon(b.machine);
    expect(second.workerId).toBe(first.workerId);
    const { code } = await first.daemon.exited;
    expect(code).toBe(1);
    expect(first.daemon.output()).toContain("replaced this connection.\n");
    expect(first.daemon.output()).not.toContain("..");
    expect(first.daemon.output()).not.toContain("reconnecting");
    expect((await fixture.listWorkers()).filter((worker) => worker.id === first.workerId)).toHaveLength(1);
    second.daemon.child.kill("SIGTERM");
    expect((await second.daemon.exited).code).toBe(0);
  });

  it("after a rotation whose restart was skipped, revoking the old key says restart, not create a new key", async () => {
    const { machine, apiKey: oldKey } = await loggedInMachine("skipped-restart-old");
    const first = await startDaemon(machine);
    const { key: newKey, apiKey: newKeyRef } = await fixture.createKey("skipped-restart-new");
    expect((await runCli(machine, ["login", "--token", newKey])).code).toBe(0);
    await fixture.revokeKey(oldKey.id);
    expect((await first.daemon.exited).code).toBe(KEY_REFUSED);
    expect(first.daemon.output()).toContain(`newer key (${newKeyRef.prefix}… ("skipped-restart-new")`);
    expect(first.daemon.output()).toContain("the server accepts it: restart cogno to use the new key.");
    expect(first.daemon.output()).not.toContain("Create a new key");
    // And a restart is indeed all it takes.
    const second = await startDaemon(machine);
    expect(second.workerId).toBe(first.workerId);
    second.daemon.child.kill("SIGTERM");
    expect((await second.daemon.exited).code).toBe(0);
  });

  it("after SIGKILL (no stopping message) the worker shows offline, not stopped", async () => {
    const { machine } = await loggedInMachine("sigkill-worker");
    const { daemon, workerId } = await startDaemon(machine);
    await waitFor(
      () => workerRow(workerId),
      (row) => row?.status === "online",
    );
    daemon.child.kill("SIGKILL");
    await daemon.exited;
    await waitFor(
      () => workerRow(workerId),
      (row) => row?.status === "offline",
      3 * HEARTBEAT_INTERVAL_MS + 5_000,
    );
  });
});
