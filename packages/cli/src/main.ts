/**
 * The top of the CLI: builds the context, runs the program, and turns every outcome into one exit
 * code (API.md: 0 ok or clean stop, 1 failure, 2 usage, 3 key refused). The only module that prints
 * errors or exits.
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { EXIT_CODES } from "@cogno/protocol";
import { CommanderError } from "commander";
import type { CommandContext } from "./commands/context.ts";
import { type CliConfig, readCliConfig } from "./config.ts";
import { createBrowserOpener } from "./device-login/open-browser.ts";
import { type ExitCode, ExitError } from "./exit-error.ts";
import { readFirstLine, readHiddenLine } from "./input/read-line.ts";
import { type ActivityLog, createActivityLog } from "./output/activity-log.ts";
import { createCleartextWarning } from "./output/cleartext-warning.ts";
import { createOutput, type Output } from "./output/output.ts";
import { buildProgram } from "./program.ts";

export interface MainDeps {
  config: CliConfig;
  writeStdout: (text: string) => void;
  writeStderr: (text: string) => void;
  now: () => Date;
  random: () => number;
  readStdinLine: () => Promise<string>;
  stdinIsTerminal: boolean;
  createStopSignal: (output: Output) => AbortSignal;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  openBrowser: (url: string) => Promise<boolean>;
}

/** `handoff`, help and version only read: recording them would hide the command a helper needs to see. */
export function shouldRecordActivity(args: readonly string[]): boolean {
  if (args.some((arg) => arg === "-h" || arg === "--help" || arg === "-V" || arg === "--version"))
    return false;
  const first = args.find((arg) => !arg.startsWith("-"));
  return first !== "handoff" && first !== "help";
}

function stripFinalNewline(text: string): string {
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

function exitCodeOfCommanderError(error: CommanderError): ExitCode {
  if (
    error.code === "commander.helpDisplayed" ||
    error.code === "commander.version" ||
    error.code === "commander.help"
  ) {
    return EXIT_CODES.ok;
  }
  return EXIT_CODES.usage;
}

/** Runs one command line and returns its exit code; never throws, never exits. */
export async function runMain(args: readonly string[], deps: MainDeps): Promise<ExitCode> {
  const activity: ActivityLog | undefined = shouldRecordActivity(args)
    ? createActivityLog(deps.config.configDir, args, deps.now)
    : undefined;
  const output = createOutput({
    writeStdout: deps.writeStdout,
    writeStderr: deps.writeStderr,
    now: deps.now,
    onLine: (line) => activity?.recordLine(line),
  });
  const context: CommandContext = {
    config: deps.config,
    output,
    now: deps.now,
    random: deps.random,
    readStdinLine: deps.readStdinLine,
    stdinIsTerminal: deps.stdinIsTerminal,
    createStopSignal: () => deps.createStopSignal(output),
    sleep: deps.sleep,
    openBrowser: deps.openBrowser,
    warnIfCleartext: createCleartextWarning(output),
  };
  const program = buildProgram(context, {
    writeOut: (text) => output.info(stripFinalNewline(text)),
    writeErr: (text) => output.error(stripFinalNewline(text)),
  });

  let code: ExitCode = EXIT_CODES.ok;
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof ExitError) {
      output.error(error.message);
      code = error.code;
    } else if (error instanceof CommanderError) {
      // Commander has already printed its message through writeErr.
      code = exitCodeOfCommanderError(error);
    } else {
      output.error(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      code = EXIT_CODES.failure;
    }
  }
  await activity?.finish(code);
  return code;
}

function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) return readHiddenLine(process.stdin, () => process.stderr.write("\n"));
  return readFirstLine(process.stdin);
}

/** First SIGINT/SIGTERM: stop cleanly. Second: the user means it, leave now. */
function createProcessStopSignal(output: Output): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      output.error(`${name} again: exiting without waiting.`);
      process.exit(EXIT_CODES.failure);
    }
    output.state(`${name} received; stopping (send it again to force)`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return controller.signal;
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleepFor(ms, undefined, { signal });
  } catch {
    // Aborted by a stop request: the caller sees the aborted signal.
  }
}

function flushStream(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write("", () => resolve());
  });
}

/** `cogno --help | head` closes the pipe early: that is the reader's choice, not a failure of ours. */
function ignoreClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== "EPIPE") throw error;
}

export async function startMain(argv: readonly string[]): Promise<void> {
  process.stdout.on("error", ignoreClosedPipe);
  process.stderr.on("error", ignoreClosedPipe);
  const config = readCliConfig();
  const code = await runMain(argv.slice(2), {
    config,
    writeStdout: (text) => process.stdout.write(text),
    writeStderr: (text) => process.stderr.write(text),
    now: () => new Date(),
    random: Math.random,
    readStdinLine,
    stdinIsTerminal: process.stdin.isTTY === true,
    createStopSignal: createProcessStopSignal,
    sleep: sleepUnlessAborted,
    openBrowser: createBrowserOpener(config.browser),
  });
  // Exit explicitly: fetch keeps idle sockets alive for seconds after `whoami`.
  await Promise.all([flushStream(process.stdout), flushStream(process.stderr)]);
  process.exit(code);
}
