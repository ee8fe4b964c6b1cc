import type { PageQuery, User, Worker } from "@cogno/protocol";
import type { ConnectedWorkers } from "../apikeys/service.ts";
import type { UserActor } from "../audit/service.ts";
import { type AuditActor, type NewAuditEntry, recordAudit, SYSTEM_ACTOR } from "../audit/store.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { canManageAllKeys } from "../workspaces/roles.ts";
import { authorizeMember } from "../workspaces/service.ts";
import { deriveWorkerStatus, onlineCutoff } from "./status.ts";
import {
  type ActionableWorkerRow,
  countOnlineWorkersOfKey,
  deleteWorkersUnseenSince,
  deleteWorkerUnlessOnline,
  findWorkerRow,
  findWorkerRowInWorkspace,
  listRecentWorkerRowsOfKey,
  listWorkerRows,
  listWorkerRowsOfKey,
  markWorkerStopped,
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

const NO_SUCH_WORKER = "No such worker in this workspace.";
/** A machine that reconnects just as it is stopped or forgotten: decide again, a few times at most. */
const RACE_RETRIES = 3;

/**
 * A worker the actor may stop or forget: owners and admins act on any worker, members on workers
 * of their own keys; any other worker is "not found", so its existence is not disclosed.
 */
async function findActionableWorker(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor; workerId: string },
): Promise<ActionableWorkerRow> {
  const role = await authorizeMember(deps, input.workspaceId, input.actor.id);
  const row = await findWorkerRowInWorkspace(deps.db, input.workspaceId, input.workerId);
  if (!row || (!canManageAllKeys(role) && row.key_owner_id !== input.actor.id)) {
    throw new AppError("not_found", NO_SUCH_WORKER);
  }
  return row;
}

function workerAudit(
  row: { id: string; workspace_id: string; name: string },
  entry: Pick<NewAuditEntry, "action" | "at" | "details"> & { actor: AuditActor },
): NewAuditEntry {
  return {
    workspaceId: row.workspace_id,
    target: { type: "worker", id: row.id, name: row.name },
    ...entry,
  };
}

/**
 * Stops one worker from the web app; its key stays valid. The row is marked stopped here, so the
 * answer says "stopped" whichever replica holds the socket; the bus then asks that replica to tell
 * the daemon who stopped it and close with 4002. A worker whose key was revoked was cut off
 * already: it is answered as it is (status "revoked").
 */
export async function disconnectWorker(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor; workerId: string },
): Promise<Worker> {
  let row = await findActionableWorker(deps, input);
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    const now = deps.clock.now();
    if (toWorker(row, now, deps.config.heartbeatIntervalMs).status === "revoked") break;
    if (row.stopped_at !== null) break;
    const at = now.toISOString();
    const current = row;
    const stopped = await deps.db.transaction().execute(async (trx) => {
      if (
        !(await markWorkerStopped(trx, { workerId: current.id, connectionId: current.connection_id, at }))
      ) {
        return false;
      }
      await recordAudit(
        trx,
        workerAudit(current, {
          action: "worker.disconnected",
          actor: input.actor,
          at,
          details: { hostname: current.hostname, apiKey: current.api_key_prefix },
        }),
      );
      return true;
    });
    const reread = await findWorkerRowInWorkspace(deps.db, input.workspaceId, input.workerId);
    if (!reread) throw new AppError("not_found", NO_SUCH_WORKER);
    row = reread;
    if (stopped) break;
  }
  // Published even when the row was stopped already: a replica that missed the first request
  // (the bus is best-effort) still holds the socket, and a second click must reach it.
  await deps.bus.publish({
    type: "worker.stop_requested",
    workspaceId: input.workspaceId,
    workerId: row.id,
    by: { id: input.actor.id, name: input.actor.name },
  });
  await deps.bus.publish({ type: "worker.updated", workspaceId: input.workspaceId, workerId: row.id });
  return toWorker(row, deps.clock.now(), deps.config.heartbeatIntervalMs);
}

/** Forgets a worker that is not connected; one that is online answers 409 worker_online. */
export async function forgetWorker(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor; workerId: string },
): Promise<void> {
  let row: ActionableWorkerRow | undefined = await findActionableWorker(deps, input);
  for (let attempt = 0; attempt < RACE_RETRIES && row !== undefined; attempt++) {
    const now = deps.clock.now();
    if (toWorker(row, now, deps.config.heartbeatIntervalMs).status === "online") {
      throw new AppError("worker_online");
    }
    const at = now.toISOString();
    const current = row;
    const forgotten = await deps.db.transaction().execute(async (trx) => {
      const deleted = await deleteWorkerUnlessOnline(trx, {
        workspaceId: input.workspaceId,
        workerId: current.id,
        now: at,
        onlineCutoff: onlineCutoff(now, deps.config.heartbeatIntervalMs),
      });
      if (!deleted) return false;
      await recordAudit(
        trx,
        workerAudit(current, {
          action: "worker.forgotten",
          actor: input.actor,
          at,
          details: { hostname: current.hostname, apiKey: current.api_key_prefix },
        }),
      );
      return true;
    });
    if (forgotten) {
      await deps.bus.publish({
        type: "worker.removed",
        workspaceId: input.workspaceId,
        workerId: current.id,
      });
      return;
    }
    // Not deleted: it came online meanwhile (decided again above), or someone else forgot it.
    row = await findWorkerRowInWorkspace(deps.db, input.workspaceId, input.workerId);
  }
  if (row !== undefined) throw new AppError("worker_online");
}

const DAY_MS = 24 * 60 * 60 * 1000;
const SWEEP_BATCH = 500;

/**
 * Forgets every worker not seen for the retention period (config.workerRetentionDays), in
 * batches, each batch with its audit entries in one transaction. Returns how many were forgotten.
 */
export async function forgetUnseenWorkers(deps: Deps): Promise<number> {
  const days = deps.config.workerRetentionDays;
  let forgotten = 0;
  for (;;) {
    const now = deps.clock.now();
    const at = now.toISOString();
    const cutoff = new Date(now.getTime() - days * DAY_MS).toISOString();
    const deleted = await deps.db.transaction().execute(async (trx) => {
      const rows = await deleteWorkersUnseenSince(trx, cutoff, SWEEP_BATCH);
      await recordAudit(
        trx,
        rows.map((row) =>
          workerAudit(row, {
            action: "worker.forgotten",
            actor: SYSTEM_ACTOR,
            at,
            details: { reason: "retention", retentionDays: days },
          }),
        ),
      );
      return rows;
    });
    for (const row of deleted) {
      await deps.bus.publish({ type: "worker.removed", workspaceId: row.workspace_id, workerId: row.id });
    }
    forgotten += deleted.length;
    if (deleted.length < SWEEP_BATCH) return forgotten;
  }
}
