/** Runs the real `cogno` binary as a person would, each "machine" with its own config directory. */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_BIN } from "../support/paths.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Machine {
  configHome: string;
  run: (args: string[], input?: string) => Promise<CliResult>;
  /** Runs a command line in bash, as pasted into a terminal, with `cogno` on the PATH. */
  runShell: (commandLine: string, input?: string) => Promise<CliResult>;
  startDaemon: (args?: string[]) => Daemon;
  remove: () => void;
}

export interface Daemon {
  process: ChildProcess;
  output: () => string;
  exited: Promise<CliResult>;
  stop: () => Promise<CliResult>;
}

/** A fresh machine: its own XDG config home, so its own credentials and machine id. */
export function createMachine(): Machine {
  const configHome = mkdtempSync(join(tmpdir(), "cogno-web-e2e-machine-"));
  // Only what a shell would pass: no COGNO_TOKEN or COGNO_SERVER leaking in from the test runner.
  const env = { PATH: process.env.PATH ?? "", HOME: configHome, XDG_CONFIG_HOME: configHome };
  // `cogno` as a shell finds it after `npm install -g`: a command on the PATH.
  const binDir = join(configHome, "bin");
  mkdirSync(binDir);
  const shim = join(binDir, "cogno");
  writeFileSync(
    shim,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} "$@"\n`,
  );
  chmodSync(shim, 0o755);

  const collect = (command: string, args: string[], extraEnv: Record<string, string>, input?: string) =>
    new Promise<CliResult>((resolveRun) => {
      const child = spawn(command, args, { env: { ...env, ...extraEnv }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("exit", (code) => resolveRun({ code, stdout, stderr }));
      child.stdin.end(input ?? "");
    });

  const startDaemon = (args: string[] = []): Daemon => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<CliResult>((resolveExit) => {
      child.on("exit", (code) => resolveExit({ code, stdout, stderr }));
    });
    return {
      process: child,
      output: () => stdout + stderr,
      exited,
      stop: async () => {
        if (child.exitCode === null) child.kill("SIGTERM");
        return exited;
      },
    };
  };

  return {
    configHome,
    run: (args, input) => collect(process.execPath, [CLI_BIN, ...args], {}, input),
    runShell: (commandLine, input) =>
      collect("bash", ["-c", commandLine], { PATH: `${binDir}:${env.PATH}` }, input),
    startDaemon,
    remove: () => rmSync(configHome, { recursive: true, force: true }),
  };
}
