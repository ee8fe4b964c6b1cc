/**
 * Which server and key a command uses: `COGNO_TOKEN` and `COGNO_SERVER` win over credentials.json,
 * each on its own, so a CI job can inject only the key.
 */
import { type ApiKeyRef, EXIT_CODES, parseApiKey } from "@cogno/protocol";
import { type CliConfig, DEFAULT_SERVER } from "../config.ts";
import { type ExitCode, ExitError } from "../exit-error.ts";
import { normalizeServerUrl } from "../http/server-url.ts";
import type { CredentialsReadResult, StoredCredentials } from "./store.ts";

export type KeySource = "COGNO_TOKEN" | "credentials.json";

export interface ActiveCredentials {
  server: string;
  key: string;
  displayPrefix: string;
  keySource: KeySource;
  /** What login learnt about the key; only when the key in use is the stored one. */
  known: { workspace: { id: string; name: string }; apiKey: ApiKeyRef } | undefined;
}

/** Why no key can be used; `code` is the one `status --json` reports. */
export interface CredentialsProblem {
  code: "not_logged_in" | "credentials_unreadable" | "api_key_malformed";
  message: string;
}

export type CredentialsResolution =
  | { ok: true; active: ActiveCredentials }
  | { ok: false; problem: CredentialsProblem; server: string };

function chooseServer(config: CliConfig, stored: StoredCredentials | undefined): string {
  return config.envServer !== undefined
    ? normalizeServerUrl(config.envServer, "COGNO_SERVER")
    : (stored?.server ?? DEFAULT_SERVER);
}

export function resolveCredentials(config: CliConfig, stored: CredentialsReadResult): CredentialsResolution {
  const storedCredentials = stored.state === "present" ? stored.credentials : undefined;
  const server = chooseServer(config, storedCredentials);
  if (config.envToken === undefined && stored.state === "corrupt") {
    const message = `The credentials file ${stored.path} is not readable. Run cogno login --token <key> to replace it.`;
    return { ok: false, problem: { code: "credentials_unreadable", message }, server };
  }
  const keySource: KeySource = config.envToken !== undefined ? "COGNO_TOKEN" : "credentials.json";
  const key = config.envToken ?? storedCredentials?.key;
  if (key === undefined) {
    const message =
      "This machine is not logged in. Create a key in Settings > API Keys, then run cogno login --token <key> (or set COGNO_TOKEN).";
    return { ok: false, problem: { code: "not_logged_in", message }, server };
  }
  const parsed = parseApiKey(key);
  if (!parsed.ok) {
    const message = `The key in ${keySource} is not a valid Cogno key. ${parsed.message}`;
    return { ok: false, problem: { code: "api_key_malformed", message }, server };
  }
  const known =
    storedCredentials !== undefined && storedCredentials.key === key
      ? { workspace: storedCredentials.workspace, apiKey: storedCredentials.apiKey }
      : undefined;
  return { ok: true, active: { server, key, displayPrefix: parsed.displayPrefix, keySource, known } };
}

export function exitCodeOfProblem(problem: CredentialsProblem): ExitCode {
  return problem.code === "api_key_malformed" ? EXIT_CODES.keyRefused : EXIT_CODES.failure;
}

/** The key and server a command uses, or the ExitError that says why there is none. */
export function resolveActiveCredentials(
  config: CliConfig,
  stored: CredentialsReadResult,
): ActiveCredentials {
  const resolution = resolveCredentials(config, stored);
  if (!resolution.ok) throw new ExitError(exitCodeOfProblem(resolution.problem), resolution.problem.message);
  return resolution.active;
}
