/**
 * credentials.json: the server URL and the raw key this machine's worker uses, plus the metadata
 * `whoami` returned for it (never needed to authenticate, kept so `status` and `handoff` can name the
 * key and workspace without a network round trip). Directory 0700, file 0600, atomic replace.
 */

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { apiKeyRefSchema, whoamiResponseSchema } from "@cogno/protocol";
import { z } from "zod";
import { parseOutsideJson } from "../input/outside-json.ts";
import { readFileIfExists, writeFileAtomic } from "./atomic-file.ts";
import { ensureConfigDir } from "./config-dir.ts";

export const CREDENTIALS_FILE_MODE = 0o600;

/** What the file holds; checked on every read, since another program may have edited it. */
const storedCredentialsSchema = z.object({
  server: z.string(),
  key: z.string(),
  workspace: whoamiResponseSchema.shape.workspace,
  apiKey: apiKeyRefSchema,
  savedAt: z.string(),
});
export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;

export type CredentialsReadResult =
  | { state: "missing" }
  | { state: "corrupt"; path: string }
  | { state: "present"; credentials: StoredCredentials };

export function credentialsPathOf(configDir: string): string {
  return join(configDir, "credentials.json");
}

export function parseStoredCredentials(text: string): StoredCredentials | undefined {
  const parsed = parseOutsideJson(storedCredentialsSchema, text);
  return parsed.ok ? parsed.value : undefined;
}

export async function readCredentials(configDir: string): Promise<CredentialsReadResult> {
  const path = credentialsPathOf(configDir);
  const text = await readFileIfExists(path);
  if (text === undefined) return { state: "missing" };
  const credentials = parseStoredCredentials(text);
  return credentials === undefined ? { state: "corrupt", path } : { state: "present", credentials };
}

export async function saveCredentials(configDir: string, credentials: StoredCredentials): Promise<void> {
  await ensureConfigDir(configDir);
  await writeFileAtomic(
    credentialsPathOf(configDir),
    `${JSON.stringify(credentials, null, 2)}\n`,
    CREDENTIALS_FILE_MODE,
  );
}

/** Returns whether there was a file to remove. */
export async function removeCredentials(configDir: string): Promise<boolean> {
  const path = credentialsPathOf(configDir);
  const existed = (await readFileIfExists(path)) !== undefined;
  await rm(path, { force: true });
  return existed;
}
