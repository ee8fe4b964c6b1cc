/**
 * Runs the real `cogno` binary for end-to-end tests on a simulated machine (../support/machine.ts),
 * output captured, helpers to wait for a line or for the exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import type { Machine } from "../support/machine.ts";
import { CLI_BIN } from "../support/paths.ts";

export async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code, and when it happened. */
  exited: Promise<{ code: number | null; at: number }>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

export interface CliRunOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** Leave standard input open for the test to write to (e.g. a Ctrl-C to a terminal). */
  keepStdinOpen?: boolean;
  /** Run this instead of `node cogno <args>` (a wrapper such as `script`, which gives a terminal). */
  command?: [string, ...string[]];
}

export function startCli(machine: Machine, args: string[], options: CliRunOptions = {}): CliProcess {
  const [program, ...programArgs] = options.command ?? [process.execPath, CLI_BIN, ...args];
  const child = spawn(program, programArgs, {
    env: { ...machine.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  else if (options.keepStdinOpen !== true) child.stdin?.end();
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once("exit", (code) => resolve({ code, at: Date.now() })),
  );
  return {
    child,
    output: () => output,
    exited,
    waitForOutput: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match !== null) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

export async function runCli(
  machine: Machine,
  args: string[],
  options: CliRunOptions = {},
): Promise<{ code: number | null; output: string }> {
  const cli = startCli(machine, args, options);
  const { code } = await cli.exited;
  return { code, output: cli.output() };
}
