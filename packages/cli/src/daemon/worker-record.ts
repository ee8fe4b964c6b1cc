/** worker.json: the worker id the server gave this machine, for `status` and `handoff`. */
import { join } from "node:path";
import { z } from "zod";
import { readFileIfExists, writeFileAtomic } from "../credentials/atomic-file.ts";
import { ensureConfigDir } from "../credentials/config-dir.ts";
import { parseOutsideJson } from "../input/outside-json.ts";

const workerRecordSchema = z.object({ workerId: z.string(), server: z.string(), registeredAt: z.string() });
export type WorkerRecord = z.infer<typeof workerRecordSchema>;

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
  const parsed = parseOutsideJson(workerRecordSchema, text);
  return parsed.ok ? parsed.value : undefined;
}
