/**
 * `cogno login` without --token, from the real binary at a real terminal (a pseudo-terminal made by
 * util-linux `script`): the browser login against the real server when it offers one, Ctrl-C while
 * waiting, and the usage error without a terminal. The approval page itself is the web app's (its
 * browser tests approve through it); here the approval goes through the same route it calls.
 */
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeServer } from "../../packages/cli/src/testing/fake-server.ts";
import { createMachine, type Machine } from "../support/machine.ts";
import { CLI_BIN } from "../support/paths.ts";
import { type CliProcess, runCli, startCli } from "./cli-process.ts";
import { type CliFixture, startCliFixture } from "./fixture.ts";

const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;

/** Runs `cogno <args>` with a pseudo-terminal as its standard input and output. */
function startAtTerminal(machine: Machine, args: string[]): CliProcess {
  const command = [process.execPath, CLI_BIN, ...args]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(" ");
  // exec: the shell that script starts must not stay between the terminal and cogno (it would take
  // the Ctrl-C as its own and end with 130 whatever cogno does).
  return startCli(machine, [], {
    keepStdinOpen: true,
    command: ["script", "-qefc", `exec ${command}`, "/dev/null"],
  });
}

let fixture: CliFixture;

beforeAll(async () => {
  fixture = await startCliFixture();
});

afterAll(async () => {
  await fixture?.close();
});

describe.skipIf(!HAS_SCRIPT)("cogno login at a terminal (browser login)", () => {
  it("Ctrl-C while waiting for approval exits 1 cleanly, and nothing is stored", async () => {
    const server = await startFakeServer();
    try {
      const machine = await createMachine();
      const cli = startAtTerminal(machine, ["login", "--server", server.url]);
      await cli.waitForOutput(/Press Ctrl-C to cancel/);
      cli.child.stdin?.write("\u0003");
      const { code } = await cli.exited;
      expect(code, cli.output()).toBe(1);
      expect(cli.output()).toContain("Login cancelled. Nothing was stored.");
      expect(cli.output()).not.toMatch(/Unexpected error|at .*\.js:\d+/);
      await expect(readFile(machine.credentialsPath)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it("is approved through the real server and stores a key the server accepts", async () => {
    const machine = await createMachine();
    const cli = startAtTerminal(machine, ["login", "--server", fixture.server.url]);
    const [, userCode] = await cli.waitForOutput(/It shows the code ([A-Z]{4}-[A-Z]{4})/);
    const approved = await fixture.owner.client.post("/api/v1/device/approve", {
      userCode,
      workspaceId: fixture.owner.workspaceId,
    });
    expect(approved.status).toBe(200);
    const { code } = await cli.exited;
    expect(code, cli.output()).toBe(0);
    expect(cli.output()).toContain(
      `Logged in to workspace "Owner's workspace" (${fixture.owner.workspaceId})`,
    );
    const status = await runCli(machine, ["status", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.output)).toMatchObject({ accepted: true, key: { source: "credentials.json" } });
  });
});

describe("cogno login without a terminal", () => {
  it("is a usage error (exit 2) that names --token", async () => {
    const machine = await createMachine();
    const run = await runCli(machine, ["login", "--server", fixture.server.url]);
    expect(run.code).toBe(2);
    expect(run.output).toContain("--token");
    expect(run.output).toContain("terminal");
  });
});
