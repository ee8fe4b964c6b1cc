/**
 * A worker's identity is its machine: one random id kept in the config directory, so restarting,
 * logging in again or rotating keys updates the same worker row instead of adding a twin.
 * Kept apart from credentials.json so `logout` and a new login never change it.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createFileOnce, readFileIfExists, writeFileAtomic } from "../credentials/atomic-file.ts";
import { ensureConfigDir } from "../credentials/config-dir.ts";

const MACHINE_ID_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

export function machineIdPathOf(configDir: string): string {
  return join(configDir, "machine-id");
}

export async function loadOrCreateMachineId(configDir: string): Promise<string> {
  const path = machineIdPathOf(configDir);
  const existing = (await readFileIfExists(path))?.trim();
  if (existing !== undefined && MACHINE_ID_PATTERN.test(existing)) return existing;
  await ensureConfigDir(configDir);
  const created = `mch_${randomUUID().replaceAll("-", "")}`;
  if (existing !== undefined) {
    // A damaged file: replace it rather than fail, the worker re-registers as a new machine once.
    await writeFileAtomic(path, `${created}\n`, 0o600);
    return created;
  }
  // Two daemons started at once from one config dir must agree on the id: first writer wins.
  return (await createFileOnce(path, `${created}\n`, 0o600)).trim();
}
