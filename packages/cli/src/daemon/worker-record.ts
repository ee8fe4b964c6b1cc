/** worker.json: the worker id the server gave this machine, for `status` and `handoff`. */
import { join } from "node:path";
import { readFileIfExists, writeFileAtomic } from "../credentials/atomic-file.ts";
import { ensureConfigDir } from "../credentials/config-dir.ts";

export interface WorkerRecord {
  workerId: string;
  server: string;
  registeredAt: string;
}

export function workerRecordPathOf(configDir: string): string {
  return join(configDir, "worker.json");
}

export async function saveWorkerRecord(configDir: string, record: WorkerRecord): Promise<void> {
  await ensureConfigDir(configDir);
  await writeFileAtomic(workerRecordPathOf(configDir), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

export async function readWorkerRecord(configDir: string): Promise<WorkerRecord | undefined> {
  const text = await readFileIfExists(workerRecordPathOf(configDir));
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const workerId = "workerId" in value && typeof value.workerId === "string" ? value.workerId : undefined;
    const server = "server" in value && typeof value.server === "string" ? value.server : undefined;
    const registeredAt =
      "registeredAt" in value && typeof value.registeredAt === "string" ? value.registeredAt : undefined;
    if (workerId === undefined || server === undefined || registeredAt === undefined) return undefined;
    return { workerId, server, registeredAt };
  } catch {
    return undefined;
  }
}
