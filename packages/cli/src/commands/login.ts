/**
 * `cogno login --token <key>|- [--server URL]`: check the key offline, then with the server, and only
 * then store it. Every failure happens before the write, so stored credentials stay byte-identical.
 */
import { displayPrefixOf, EXIT_CODES, parseApiKey } from "@cogno/protocol";
import { DEFAULT_SERVER } from "../config.ts";
import { appendKeyEvent } from "../credentials/key-events.ts";
import { credentialsPathOf, readCredentials, saveCredentials } from "../credentials/store.ts";
import { createUsageError, ExitError } from "../exit-error.ts";
import { normalizeServerUrl } from "../http/server-url.ts";
import { fetchWhoami } from "../http/worker-client.ts";
import { describeKeyName } from "../output/key-refused.ts";
import { asSentence } from "../output/sentence.ts";
import type { CommandContext } from "./context.ts";
import { recordKeyRefusal } from "./key-refusal.ts";

export interface LoginOptions {
  token: string;
  server: string | undefined;
}

export interface LoginResult {
  server: string;
  workspace: { id: string; name: string };
  keyName: string;
  displayPrefix: string;
  replacedPrefix: string | undefined;
}

async function readKeyArgument(token: string, context: CommandContext): Promise<string> {
  if (token !== "-") return token.trim();
  if (context.stdinIsTerminal) context.output.error("Paste the key and press Enter (it is not shown):");
  const line = (await context.readStdinLine()).trim();
  if (line === "") throw createUsageError("--token - read no key from standard input.");
  return line;
}

function chooseServer(
  options: LoginOptions,
  envServer: string | undefined,
  storedServer: string | undefined,
): string {
  if (options.server !== undefined) return normalizeServerUrl(options.server, "--server");
  if (envServer !== undefined) return normalizeServerUrl(envServer, "COGNO_SERVER");
  return storedServer ?? DEFAULT_SERVER;
}

export async function login(options: LoginOptions, context: CommandContext): Promise<LoginResult> {
  const { config, output } = context;
  const key = await readKeyArgument(options.token, context);
  const parsed = parseApiKey(key);
  if (!parsed.ok)
    throw new ExitError(EXIT_CODES.keyRefused, `That is not a valid Cogno key. ${parsed.message}`);

  const stored = await readCredentials(config.configDir);
  const previous = stored.state === "present" ? stored.credentials : undefined;
  const server = chooseServer(options, config.envServer, previous?.server);

  const answer = await fetchWhoami(server, key);
  if (answer.kind === "refused") {
    throw await recordKeyRefusal(
      context,
      {
        code: answer.error.code,
        serverMessage: answer.error.message,
        displayPrefix: parsed.displayPrefix,
        keyName: undefined,
        keySource: "--token",
      },
      "Stored credentials were not changed.",
    );
  }
  if (answer.kind === "unavailable") {
    throw new ExitError(
      EXIT_CODES.failure,
      `Could not check the key: ${asSentence(answer.reason)} Stored credentials were not changed.`,
    );
  }

  const { workspace, apiKey } = answer.whoami;
  await saveCredentials(config.configDir, {
    server,
    key,
    workspace: { id: workspace.id, name: workspace.name },
    apiKey: { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix },
    savedAt: context.now().toISOString(),
  });
  const replacedPrefix =
    previous !== undefined && previous.key !== key ? displayPrefixOf(previous.key) : undefined;
  await appendKeyEvent(config.configDir, {
    kind: replacedPrefix === undefined ? "logged-in" : "rotated",
    at: context.now().toISOString(),
    prefix: parsed.displayPrefix,
    name: apiKey.name,
    previousPrefix: replacedPrefix,
  }).catch(() => undefined);

  output.info(`Logged in to workspace "${workspace.name}" (${workspace.id}) on ${server}.`);
  output.info(`Key: ${describeKeyName(parsed.displayPrefix, apiKey.name)}`);
  output.info(`Saved to ${credentialsPathOf(config.configDir)}`);
  if (replacedPrefix !== undefined) {
    output.info(
      `This replaces key ${replacedPrefix}… on this machine. Restart the worker, confirm it in Settings > Workers, then revoke the old key in Settings > API Keys.`,
    );
  }
  if (config.envToken !== undefined && config.envToken !== key) {
    output.info("Note: COGNO_TOKEN is set in this shell and overrides the stored key.");
  }
  output.info("Next: run cogno to start the worker, then open Settings > Workers.");
  return {
    server,
    workspace: { id: workspace.id, name: workspace.name },
    keyName: apiKey.name,
    displayPrefix: parsed.displayPrefix,
    replacedPrefix,
  };
}
