/**
 * credentials.json: the server URL and the raw key this machine's worker uses, plus the metadata
 * `whoami` returned for it (never needed to authenticate, kept so `status` and `handoff` can name the
 * key and workspace without a network round trip). Directory 0700, file 0600, atomic replace.
 */

import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ApiKeyRef } from "@cogno/protocol";
import { readFileIfExists, writeFileAtomic } from "./atomic-file.ts";
import { ensureConfigDir } from "./config-dir.ts";

export const CREDENTIALS_FILE_MODE = 0o600;

export interface StoredCredentials {
  server: string;
  key: string;
  workspace: { id: string; name: string };
  apiKey: ApiKeyRef;
  savedAt: string;
}

export type CredentialsReadResult =
  | { state: "missing" }
  | { state: "corrupt"; path: string }
  | { state: "present"; credentials: StoredCredentials };

export function credentialsPathOf(configDir: string): string {
  return join(configDir, "credentials.json");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readString(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  return typeof value === "string" ? value : undefined;
}

/** Validates the parsed file by hand: the store must not trust a file another program may have edited. */
export function parseStoredCredentials(text: string): StoredCredentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const workspace = parsed.workspace;
  const apiKey = parsed.apiKey;
  if (!isRecord(workspace) || !isRecord(apiKey)) return undefined;
  const server = readString(parsed, "server");
  const key = readString(parsed, "key");
  const savedAt = readString(parsed, "savedAt");
  const workspaceId = readString(workspace, "id");
  const workspaceName = readString(workspace, "name");
  const keyId = readString(apiKey, "id");
  const keyName = readString(apiKey, "name");
  const keyPrefix = readString(apiKey, "prefix");
  if (
    server === undefined ||
    key === undefined ||
    savedAt === undefined ||
    workspaceId === undefined ||
    workspaceName === undefined ||
    keyId === undefined ||
    keyName === undefined ||
    keyPrefix === undefined
  ) {
    return undefined;
  }
  return {
    server,
    key,
    workspace: { id: workspaceId, name: workspaceName },
    apiKey: { id: keyId, name: keyName, prefix: keyPrefix },
    savedAt,
  };
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
