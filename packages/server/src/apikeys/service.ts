/**
 * API keys: create, list, look at, rename, revoke. Decisions here; rows in store.ts and
 * life-cycle-store.ts; HTTP in routes.ts. Rolls are in roll.ts, expiry in expiry.ts, leak reports
 * in leak-reports.ts.
 */
import {
  API_KEY_LIMIT,
  type ApiKey,
  type ApiKeyDetail,
  type CreateApiKeyResponse,
  displayPrefixOf,
  generateApiKey,
  type PageQuery,
  type RevokeApiKeyResponse,
  type User,
  type Worker,
} from "@cogno/protocol";
import { NO_ORIGIN, type RequestOrigin, userActor } from "../audit/service.ts";
import { recordAudit } from "../audit/store.ts";
import { isoAt } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import type { ApiKeysTable } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { recordKeyChange } from "../events/key-change-log.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { canManageAllKeys } from "../workspaces/roles.ts";
import { authorizeMember } from "../workspaces/service.ts";
import { announceCommitted } from "./after-commit.ts";
import { findKeyHistory, renameKeyRow } from "./life-cycle-store.ts";
import { findApiKeyInWorkspace, insertApiKeyWithinLimit, listApiKeyRows, revokeKeys } from "./store.ts";

/**
 * What the key domain needs to know about workers, without importing the workers domain:
 * app.ts hands in the workers' implementation.
 */
export interface ConnectedWorkers {
  listConnectedWithKey(workspaceId: string, keyId: string): Promise<Worker[]>;
  countConnectedWithKey(workspaceId: string, keyId: string): Promise<number>;
  /** Every worker that used the key in the last 30 days, connected or not. */
  listRecentWithKey(workspaceId: string, keyId: string): Promise<Worker[]>;
}

export const LIMIT_MESSAGE = `You already have ${API_KEY_LIMIT} active API keys in this workspace, the most one person can hold. Revoke a key you no longer use in Settings > API Keys, then create the new one.`;

/** A new key's row: only the hash and the display prefix of the raw key are kept. */
export function newKeyRow(input: {
  key: string;
  workspaceId: string;
  ownerId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
}): ApiKeysTable {
  return {
    id: newId("key"),
    workspace_id: input.workspaceId,
    owner_id: input.ownerId,
    name: input.name,
    prefix: displayPrefixOf(input.key),
    key_hash: sha256Hex(input.key),
    scope: "worker",
    created_at: input.createdAt,
    last_used_at: null,
    last_used_ip: null,
    revoked_at: null,
    revoked_by: null,
    revoked_reason: null,
    expires_at: input.expiresAt,
    rolled_at: null,
    replaced_by: null,
    leak_url: null,
    leak_source: null,
    leak_reported_at: null,
  };
}

/**
 * Creates a key for the actor. The key, its audit entry and the 25-key check commit together; the
 * raw key is returned whatever happens after the commit (after-commit.ts).
 */
export async function createApiKey(
  deps: Deps,
  input: {
    workspaceId: string;
    actor: User;
    name: string;
    expiresAt?: string | null;
    origin?: RequestOrigin;
  },
): Promise<CreateApiKeyResponse> {
  await authorizeMember(deps, input.workspaceId, input.actor.id);
  const now = isoAt(deps.clock);
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && expiresAt <= now) {
    throw new AppError("validation_failed", "Invalid body. expiresAt must be in the future.");
  }
  const key = generateApiKey();
  const result = await insertApiKeyWithinLimit(
    deps.db,
    newKeyRow({
      key,
      workspaceId: input.workspaceId,
      ownerId: input.actor.id,
      name: input.name,
      createdAt: now,
      expiresAt,
    }),
    {
      limit: API_KEY_LIMIT,
      now,
      afterInsert: (trx, apiKey) =>
        recordAudit(trx, {
          workspaceId: input.workspaceId,
          at: now,
          action: "api_key.created",
          actor: userActor(input.actor, input.origin ?? NO_ORIGIN),
          target: { type: "api_key", id: apiKey.id, name: apiKey.name },
          details: { prefix: apiKey.prefix, expiresAt },
        }),
    },
  );
  if (result.outcome === "not_member")
    throw new AppError("forbidden", "You are not a member of this workspace.");
  if (result.outcome === "limit_reached") throw new AppError("api_key_limit_reached", LIMIT_MESSAGE);
  await announceCommitted(deps, undefined, [
    { type: "api_key.created", workspaceId: input.workspaceId, keyId: result.apiKey.id },
  ]);
  return { apiKey: result.apiKey, key };
}

export async function listApiKeys(
  deps: Deps,
  input: { workspaceId: string; actor: User; includeRevoked: boolean } & PageQuery,
): Promise<{ apiKeys: ApiKey[]; nextCursor?: string }> {
  const role = await authorizeMember(deps, input.workspaceId, input.actor.id);
  return listApiKeyRows(deps.db, {
    workspaceId: input.workspaceId,
    ownerId: canManageAllKeys(role) ? undefined : input.actor.id,
    includeRevoked: input.includeRevoked,
    now: isoAt(deps.clock),
    limit: input.limit,
    cursor: input.cursor,
  });
}

/** A key the actor may see: owners and admins see all, members their own; others are "not found". */
export async function findVisibleKey(
  deps: Deps,
  workspaceId: string,
  actor: User,
  keyId: string,
): Promise<ApiKey> {
  const role = await authorizeMember(deps, workspaceId, actor.id);
  const apiKey = await findApiKeyInWorkspace(deps.db, workspaceId, keyId, isoAt(deps.clock));
  if (!apiKey || (!canManageAllKeys(role) && apiKey.owner.id !== actor.id)) {
    throw new AppError("not_found", "No such API key in this workspace.");
  }
  return apiKey;
}

export async function getApiKey(
  deps: Deps,
  workers: ConnectedWorkers,
  input: { workspaceId: string; actor: User; keyId: string },
): Promise<ApiKeyDetail> {
  const apiKey = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  const [recentWorkers, history] = await Promise.all([
    workers.listRecentWithKey(input.workspaceId, apiKey.id),
    findKeyHistory(deps.db, apiKey.id),
  ]);
  // A revoked key has no connected workers: its sockets were cut off when it was revoked.
  const connected =
    apiKey.revokedAt === null ? await workers.listConnectedWithKey(input.workspaceId, apiKey.id) : [];
  return { apiKey, workers: connected, recentWorkers, ...history };
}

/**
 * Renames a key (same visibility rules as revoke). Every replica re-reads it (the verified-key
 * cache holds the name whoami answers), and open pages hear of it.
 */
export async function renameApiKey(
  deps: Deps,
  input: { workspaceId: string; actor: User; keyId: string; name: string; origin?: RequestOrigin },
): Promise<{ apiKey: ApiKey }> {
  const before = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  if (before.name === input.name) return { apiKey: before };
  const at = isoAt(deps.clock);
  const change = await deps.db.transaction().execute(async (trx) => {
    await renameKeyRow(trx, before.id, input.name);
    await recordAudit(trx, {
      workspaceId: input.workspaceId,
      at,
      action: "api_key.renamed",
      actor: userActor(input.actor, input.origin ?? NO_ORIGIN),
      target: { type: "api_key", id: before.id, name: input.name },
      details: { from: before.name, to: input.name },
    });
    return recordKeyChange(trx, { keyIds: [before.id], change: "updated", reason: null, at });
  });
  await announceCommitted(deps, change, [
    { type: "api_key.updated", workspaceId: input.workspaceId, keyId: before.id },
  ]);
  return { apiKey: await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId) };
}

/**
 * Revokes a key: committed (with its entry in the key-change log) first, then announced. The
 * announcement resolves once every live replica has dropped the key and cut off its sockets, so
 * when this returns no replica accepts the key for anything (SPEC.md v1.1).
 */
export async function revokeApiKey(
  deps: Deps,
  workers: ConnectedWorkers,
  input: { workspaceId: string; actor: User; keyId: string; origin?: RequestOrigin },
): Promise<RevokeApiKeyResponse> {
  const before = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  const alreadyRevoked = before.revokedAt !== null;
  // Counted before the revocation commits: the workers connected with the key, about to be cut off.
  const connected = alreadyRevoked ? 0 : await workers.countConnectedWithKey(input.workspaceId, before.id);
  if (!alreadyRevoked) {
    const at = isoAt(deps.clock);
    const change = await deps.db.transaction().execute(async (trx) => {
      const revoked = await revokeKeys(trx, {
        keyIds: [before.id],
        by: input.actor.id,
        reason: "revoked",
        at,
      });
      if (revoked) {
        await recordAudit(trx, {
          workspaceId: input.workspaceId,
          at,
          action: "api_key.revoked",
          actor: userActor(input.actor, input.origin ?? NO_ORIGIN),
          target: { type: "api_key", id: before.id, name: before.name },
          details: { prefix: before.prefix, reason: "revoked" },
        });
      }
      return revoked;
    });
    if (change) {
      await announceCommitted(deps, change, [
        { type: "api_key.revoked", workspaceId: input.workspaceId, keyId: before.id },
      ]);
    }
  }
  const apiKey = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  return { apiKey, disconnectedWorkers: connected };
}
