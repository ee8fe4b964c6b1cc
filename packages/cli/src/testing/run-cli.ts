/** Runs the CLI in-process against a temporary config dir and captures what it prints. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliConfig } from "../config.ts";
import { type MainDeps, runMain } from "../main.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function createTemporaryConfigDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "cogno-cli-test-"));
  return join(root, "cogno");
}

export function createTestConfig(configDir: string, overrides: Partial<CliConfig> = {}): CliConfig {
  return {
    configDir,
    envToken: undefined,
    envServer: undefined,
    version: "0.0.0-test",
    hostname: "test-host",
    os: "linux",
    arch: "x64",
    browser: { platform: "linux", searchPath: undefined, hasDisplay: false },
    ...overrides,
  };
}

export async function runCli(
  args: readonly string[],
  config: CliConfig,
  overrides: Partial<MainDeps> = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runMain(args, {
    config,
    writeStdout: (text) => {
      stdout += text;
    },
    writeStderr: (text) => {
      stderr += text;
    },
    now: () => new Date("2026-06-01T12:00:00Z"),
    random: () => 0.5,
    readStdinLine: async () => "",
    stdinIsTerminal: false,
    createStopSignal: () => new AbortController().signal,
    // No real waiting in unit tests: long waits are the server's intervals, not what a test checks.
    sleep: async () => undefined,
    openBrowser: async () => false,
    ...overrides,
  });
  return { code, stdout, stderr };
}
