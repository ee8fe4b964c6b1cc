/**
 * `cogno login [--token <key>|-] [--server URL]`. With a key: check it offline, then with the server,
 * and only then store it. Without one, at a terminal: the browser login (device flow), whose
 * approval makes a key. Both end in the same store step and the same lines; every failure happens
 * before the write, so stored credentials stay byte-identical.
 */
import {
  type ApiKeyRef,
  cleanTextSchema,
  displayPrefixOf,
  EXIT_CODES,
  NAME_MAX,
  parseApiKey,
  stripControlCharacters,
} from "@cogno/protocol";
import { DEFAULT_SERVER } from "../config.ts";
import { appendKeyEvent } from "../credentials/key-events.ts";
import { credentialsPathOf, readCredentials, saveCredentials } from "../credentials/store.ts";
import { runDeviceFlow } from "../device-login/device-flow.ts";
import { createUsageError, ExitError } from "../exit-error.ts";
import { normalizeServerUrl } from "../http/server-url.ts";
import { fetchWhoami } from "../http/worker-client.ts";
import { describeKeyName } from "../output/key-refused.ts";
import { asSentence } from "../output/sentence.ts";
import type { CommandContext } from "./context.ts";
import { recordKeyRefusal } from "./key-refusal.ts";

export interface LoginOptions {
  /** The key, "-" for standard input, or undefined for the browser login. */
  token: string | undefined;
  server: string | undefined;
}

interface CheckedLogin {
  server: string;
  key: string;
  displayPrefix: string;
  workspace: { id: string; name: string };
  apiKey: ApiKeyRef;
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

/**
 * The machine's name as the approval page shows it and the key is named, cut to fit the contract's
 * rule for `clientName` (cleanTextSchema, as deviceAuthorizeBodySchema uses it; that module is not
 * imported, so a start does not build every request schema).
 */
export function chooseClientName(hostname: string): string {
  const parsed = cleanTextSchema("clientName").safeParse(
    stripControlCharacters(hostname).trim().slice(0, NAME_MAX),
  );
  return parsed.success ? parsed.data : "cogno worker";
}

async function checkKeyWithServer(
  key: string,
  displayPrefix: string,
  server: string,
  context: CommandContext,
): Promise<CheckedLogin> {
  const answer = await fetchWhoami(server, key);
  if (answer.kind === "refused") {
    throw await recordKeyRefusal(
      context,
      {
        code: answer.error.code,
        serverMessage: answer.error.message,
        displayPrefix,
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
  return { server, key, displayPrefix, workspace, apiKey };
}

async function loginWithBrowser(server: string, context: CommandContext): Promise<CheckedLogin> {
  const token = await runDeviceFlow(
    { server, clientName: chooseClientName(context.config.hostname), signal: context.createStopSignal() },
    { output: context.output, openBrowser: context.openBrowser, sleep: context.sleep, now: context.now },
  );
  const parsed = parseApiKey(token.key);
  if (!parsed.ok) {
    throw new ExitError(
      EXIT_CODES.failure,
      `The server approved the login but sent a key that is not a valid Cogno key (${parsed.message}). Nothing was stored.`,
    );
  }
  const { id, name, prefix } = token.apiKey;
  context.output.info(
    `Approved: the key "${name}" was made for this machine, owned by ${token.apiKey.owner.name}; it shows in Settings > API Keys.`,
  );
  return {
    server,
    key: token.key,
    displayPrefix: parsed.displayPrefix,
    workspace: token.workspace,
    apiKey: { id, name, prefix },
  };
}

/** Stores a checked key and says what was stored: the same step for both ways of logging in. */
async function storeLogin(
  login: CheckedLogin,
  previousKey: string | undefined,
  context: CommandContext,
): Promise<void> {
  const { config, output } = context;
  await saveCredentials(config.configDir, {
    server: login.server,
    key: login.key,
    workspace: { id: login.workspace.id, name: login.workspace.name },
    apiKey: login.apiKey,
    savedAt: context.now().toISOString(),
  });
  const replacedPrefix =
    previousKey !== undefined && previousKey !== login.key ? displayPrefixOf(previousKey) : undefined;
  await appendKeyEvent(config.configDir, {
    kind: replacedPrefix === undefined ? "logged-in" : "rotated",
    at: context.now().toISOString(),
    prefix: login.displayPrefix,
    name: login.apiKey.name,
    previousPrefix: replacedPrefix,
  }).catch(() => undefined);

  output.info(`Logged in to workspace "${login.workspace.name}" (${login.workspace.id}) on ${login.server}.`);
  output.info(`Key: ${describeKeyName(login.displayPrefix, login.apiKey.name)}`);
  output.info(`Saved to ${credentialsPathOf(config.configDir)}`);
  if (replacedPrefix !== undefined) {
    output.info(
      `This replaces key ${replacedPrefix}… on this machine. Restart the worker, confirm it in Settings > Workers, then revoke the old key in Settings > API Keys.`,
    );
  }
  if (config.envToken !== undefined && config.envToken !== login.key) {
    output.info("Note: COGNO_TOKEN is set in this shell and overrides the stored key.");
  }
  output.info("Next: run cogno to start the worker, then open Settings > Workers.");
}

export async function login(options: LoginOptions, context: CommandContext): Promise<void> {
  const { config } = context;
  if (options.token === undefined && !context.stdinIsTerminal) {
    throw createUsageError(
      "cogno login needs --token <key> (or --token - to read the key from standard input) when it does not run in a terminal. Run it in a terminal to log in with the browser instead.",
    );
  }
  // Read and check the key first: a mistyped key fails at once, before any file or server is touched.
  let offered: { key: string; displayPrefix: string } | undefined;
  if (options.token !== undefined) {
    const key = await readKeyArgument(options.token, context);
    const parsed = parseApiKey(key);
    if (!parsed.ok)
      throw new ExitError(EXIT_CODES.keyRefused, `That is not a valid Cogno key. ${parsed.message}`);
    offered = { key, displayPrefix: parsed.displayPrefix };
  }
  const stored = await readCredentials(config.configDir);
  const previous = stored.state === "present" ? stored.credentials : undefined;
  const server = chooseServer(options, config.envServer, previous?.server);
  context.warnIfCleartext(server);
  const checked =
    offered === undefined
      ? await loginWithBrowser(server, context)
      : await checkKeyWithServer(offered.key, offered.displayPrefix, server, context);
  await storeLogin(checked, previous?.key, context);
}
