/** The command line: names, flags and help text, each command wired to its function. */
import { Command } from "commander";
import type { CommandContext } from "./commands/context.ts";
import { printHandoff } from "./commands/handoff.ts";
import { login } from "./commands/login.ts";
import { logout } from "./commands/logout.ts";
import { runWorker } from "./commands/run.ts";
import { STATUS_JSON_HELP, showStatus } from "./commands/status.ts";
import { createUsageError } from "./exit-error.ts";

export interface ProgramWriters {
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
}

export function buildProgram(context: CommandContext, writers: ProgramWriters): Command {
  const program = new Command("cogno")
    .description("Cogno worker: log in with a workspace API key, then run the worker daemon.")
    .version(context.config.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    // Commander would call process.exit itself; main.ts owns the exit code instead.
    .exitOverride()
    .configureOutput({ writeOut: writers.writeOut, writeErr: writers.writeErr })
    .showHelpAfterError("(run cogno --help for usage)")
    .allowExcessArguments(false);

  program
    .command("run", { isDefault: true })
    .description("run the worker daemon in the foreground (the default command)")
    .option("--name <name>", "worker name shown in Settings > Workers (default: this machine's hostname)")
    // As the default command, `run` receives any word that is not a command; name it as such.
    .allowExcessArguments(true)
    .action(async (options: { name?: string }, command: Command) => {
      const [unknown] = command.args;
      if (unknown !== undefined)
        throw createUsageError(`unknown command "${unknown}". Run cogno --help to see the commands.`);
      await runWorker({ name: options.name }, context);
    });

  program
    .command("login")
    .description(
      "store a workspace API key for the worker: checks --token <key> with the server, or without --token (at a terminal) logs in with the browser",
    )
    .option(
      "--token <key>",
      'the API key from Settings > API Keys, or "-" to read it from standard input (needed when not at a terminal)',
    )
    .option(
      "--server <url>",
      "Cogno server URL (default: COGNO_SERVER, the stored server, or http://127.0.0.1:8080)",
    )
    .addHelpText(
      "after",
      `
Without --token, at a terminal, cogno login prints a web address and a code:
open it, sign in, pick the workspace and approve. The approval makes a key
named after this machine, and cogno stores it as --token would.
Exit codes: 0 logged in; 1 denied, expired, cancelled (Ctrl-C) or no answer
from the server; 2 no --token and no terminal; 3 the key was refused.`,
    )
    .action(async (options: { token?: string; server?: string }) => {
      await login({ token: options.token, server: options.server }, context);
    });

  program
    .command("status")
    .description("show the server, workspace and key in use, and whether the server accepts the key")
    .option("--json", "print the same as one JSON object (fields below)")
    .addHelpText("after", STATUS_JSON_HELP)
    .action(async (options: { json?: boolean }) => {
      await showStatus({ json: options.json === true }, context);
    });

  program
    .command("logout")
    .description(
      "remove the stored key from this machine; it says whether the server still accepts the key (logging out does not revoke it)",
    )
    .action(async () => {
      await logout(context);
    });

  program
    .command("handoff")
    .description(
      "print workspace, key prefix, last command and its output as Markdown for a helper, secrets removed",
    )
    .action(async () => {
      await printHandoff(context);
    });

  return program;
}
