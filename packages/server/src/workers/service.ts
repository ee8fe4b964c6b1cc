import type { PageQuery, User, Worker } from "@cogno/protocol";
import type { ConnectedWorkers } from "../apikeys/service.ts";
import type { Deps } from "../deps.ts";
import { authorizeMember } from "../workspaces/service.ts";
import { deriveWorkerStatus, onlineCutoff } from "./status.ts";
import {
  countOnlineWorkersOfKey,
  findWorkerRow,
  listRecentWorkerRowsOfKey,
  listWorkerRows,
  listWorkerRowsOfKey,
  type WorkerRow,
} from "./store.ts";

/** How far back "used the key recently" reaches (API.md v1.1 `recentWorkers`). */
const RECENT_WORKER_DAYS = 30;

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
        keyRevokedAt: keyEndedAt(row, now),
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
    lastIp: row.last_ip,
  };
}

/** When the worker's key stopped working (revoked, or past its expiry), or null while it works. */
function keyEndedAt(row: WorkerRow, now: Date): string | null {
  if (row.api_key_revoked_at !== null) return row.api_key_revoked_at;
  const expiresAt = row.api_key_expires_at;
  return expiresAt !== null && expiresAt <= now.toISOString() ? expiresAt : null;
}

export async function listWorkers(
  deps: Deps,
  input: { workspaceId: string; actor: User } & PageQuery,
): Promise<{ workers: Worker[]; nextCursor?: string }> {
  await authorizeMember(deps, input.workspaceId, input.actor.id);
  const now = deps.clock.now();
  const { rows, next } = await listWorkerRows(deps.db, input);
  return { workers: rows.map((row) => toWorker(row, now, deps.config.heartbeatIntervalMs)), ...next };
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
        .map((row) =>
          toWorker(
            { ...row, api_key_revoked_at: null, api_key_expires_at: null },
            now,
            deps.config.heartbeatIntervalMs,
          ),
        )
        .filter((worker) => worker.status === "online");
    },
    async listRecentWithKey(workspaceId, keyId) {
      const now = deps.clock.now();
      const since = new Date(now.getTime() - RECENT_WORKER_DAYS * 24 * 60 * 60 * 1000).toISOString();
      const rows = await listRecentWorkerRowsOfKey(deps.db, workspaceId, keyId, since);
      return rows.map((row) => toWorker(row, now, deps.config.heartbeatIntervalMs));
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
