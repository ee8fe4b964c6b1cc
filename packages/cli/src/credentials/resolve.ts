/**
 * Which server and key a command uses: `COGNO_TOKEN` and `COGNO_SERVER` win over credentials.json,
 * each on its own, so a CI job can inject only the key.
 */
import { type ApiKeyRef, EXIT_CODES, parseApiKey } from "@cogno/protocol";
import { type CliConfig, DEFAULT_SERVER } from "../config.ts";
import { ExitError } from "../exit-error.ts";
import { normalizeServerUrl } from "../http/server-url.ts";
import type { CredentialsReadResult } from "./store.ts";

export type KeySource = "COGNO_TOKEN" | "credentials.json";

export interface ActiveCredentials {
  server: string;
  key: string;
  displayPrefix: string;
  keySource: KeySource;
  /** What login learnt about the key; only when the key in use is the stored one. */
  known: { workspace: { id: string; name: string }; apiKey: ApiKeyRef } | undefined;
}

export function resolveActiveCredentials(
  config: CliConfig,
  stored: CredentialsReadResult,
): ActiveCredentials {
  const storedCredentials = stored.state === "present" ? stored.credentials : undefined;
  if (config.envToken === undefined && stored.state === "corrupt") {
    throw new ExitError(
      EXIT_CODES.failure,
      `The credentials file ${stored.path} is not readable. Run cogno login --token <key> to replace it.`,
    );
  }
  const keySource: KeySource = config.envToken !== undefined ? "COGNO_TOKEN" : "credentials.json";
  const key = config.envToken ?? storedCredentials?.key;
  if (key === undefined) {
    throw new ExitError(
      EXIT_CODES.failure,
      "This machine is not logged in. Create a key in Settings > API Keys, then run cogno login --token <key> (or set COGNO_TOKEN).",
    );
  }
  const parsed = parseApiKey(key);
  if (!parsed.ok) {
    throw new ExitError(
      EXIT_CODES.keyRefused,
      `The key in ${keySource} is not a valid Cogno key. ${parsed.message}`,
    );
  }
  const server =
    config.envServer !== undefined
      ? normalizeServerUrl(config.envServer, "COGNO_SERVER")
      : (storedCredentials?.server ?? DEFAULT_SERVER);
  const known =
    storedCredentials !== undefined && storedCredentials.key === key
      ? { workspace: storedCredentials.workspace, apiKey: storedCredentials.apiKey }
      : undefined;
  return { server, key, displayPrefix: parsed.displayPrefix, keySource, known };
}
