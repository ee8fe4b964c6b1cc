import type { User, Worker } from "@cogno/protocol";
import type { ConnectedWorkers } from "../apikeys/service.ts";
import type { Deps } from "../deps.ts";
import { authorizeMember } from "../workspaces/service.ts";
import { deriveWorkerStatus, onlineCutoff } from "./status.ts";
import {
  countOnlineWorkersOfKey,
  findWorkerRow,
  listWorkerRows,
  listWorkerRowsOfKey,
  type WorkerRow,
} from "./store.ts";

export function toWorker(row: WorkerRow, now: Date, heartbeatIntervalMs: number): Worker {
  return {
    id: row.id,
    name: row.name,
    hostname: row.hostname,
    os: row.os,
    arch: row.arch,
    version: row.version,
    status: deriveWorkerStatus(
      {
        keyRevokedAt: row.api_key_revoked_at,
        connectedAt: row.connected_at,
        disconnectedAt: row.disconnected_at,
        stoppedAt: row.stopped_at,
        lastHeartbeatAt: row.last_heartbeat_at,
      },
      now,
      heartbeatIntervalMs,
    ),
    apiKey: { id: row.api_key_id, name: row.api_key_name, prefix: row.api_key_prefix },
    registeredAt: row.registered_at,
    connectedAt: row.connected_at,
    lastHeartbeatAt: row.last_heartbeat_at,
  };
}

export async function listWorkers(deps: Deps, workspaceId: string, actor: User): Promise<Worker[]> {
  await authorizeMember(deps, workspaceId, actor.id);
  const now = deps.clock.now();
  return (await listWorkerRows(deps.db, workspaceId)).map((row) =>
    toWorker(row, now, deps.config.heartbeatIntervalMs),
  );
}

export async function findWorker(deps: Deps, workerId: string): Promise<Worker | undefined> {
  const row = await findWorkerRow(deps.db, workerId);
  return row ? toWorker(row, deps.clock.now(), deps.config.heartbeatIntervalMs) : undefined;
}

/** The workers connected with a key right now, as the revoke dialog and `disconnectedWorkers` need them. */
export function createConnectedWorkers(deps: Deps): ConnectedWorkers {
  return {
    async listConnectedWithKey(workspaceId, keyId) {
      const now = deps.clock.now();
      const rows = await listWorkerRowsOfKey(deps.db, workspaceId, keyId);
      // Judged as if the key were still active: these are the workers that were connected with it.
      return rows
        .map((row) => toWorker({ ...row, api_key_revoked_at: null }, now, deps.config.heartbeatIntervalMs))
        .filter((worker) => worker.status === "online");
    },
    countConnectedWithKey(_workspaceId, keyId) {
      return countOnlineWorkersOfKey(
        deps.db,
        keyId,
        onlineCutoff(deps.clock.now(), deps.config.heartbeatIntervalMs),
      );
    },
  };
}
