/** API keys: create, list, look at, revoke. Decisions here; rows in store.ts; HTTP in routes.ts. */
import {
  API_KEY_LIMIT,
  type ApiKey,
  type CreateApiKeyResponse,
  displayPrefixOf,
  generateApiKey,
  type PageQuery,
  type RevokeApiKeyResponse,
  type User,
  type Worker,
} from "@cogno/protocol";
import { isoAt } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { canManageAllKeys } from "../workspaces/roles.ts";
import { authorizeMember } from "../workspaces/service.ts";
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

export async function createApiKey(
  deps: Deps,
  input: { workspaceId: string; actor: User; name: string; expiresAt?: string | null },
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
    {
      id: newId("key"),
      workspace_id: input.workspaceId,
      owner_id: input.actor.id,
      name: input.name,
      prefix: displayPrefixOf(key),
      key_hash: sha256Hex(key),
      scope: "worker",
      created_at: now,
      last_used_at: null,
      last_used_ip: null,
      revoked_at: null,
      revoked_by: null,
      revoked_reason: null,
      expires_at: expiresAt,
      rolled_at: null,
      replaced_by: null,
      leak_url: null,
      leak_source: null,
      leak_reported_at: null,
    },
    { limit: API_KEY_LIMIT, now },
  );
  if (result.outcome === "not_member")
    throw new AppError("forbidden", "You are not a member of this workspace.");
  if (result.outcome === "limit_reached") throw new AppError("api_key_limit_reached", LIMIT_MESSAGE);
  await deps.bus.publish({
    type: "api_key.created",
    workspaceId: input.workspaceId,
    keyId: result.apiKey.id,
  });
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
): Promise<{ apiKey: ApiKey; workers: Worker[]; recentWorkers: Worker[] }> {
  const apiKey = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  const recentWorkers = await workers.listRecentWithKey(input.workspaceId, apiKey.id);
  // A revoked key has no connected workers: its sockets were cut off when it was revoked.
  if (apiKey.revokedAt !== null) return { apiKey, workers: [], recentWorkers };
  return {
    apiKey,
    workers: await workers.listConnectedWithKey(input.workspaceId, apiKey.id),
    recentWorkers,
  };
}

/**
 * Revokes a key: committed (with its entry in the key-change log) first, then announced. The
 * announcement resolves once every live replica has dropped the key and cut off its sockets, so
 * when this returns no replica accepts the key for anything (SPEC.md v1.1).
 */
export async function revokeApiKey(
  deps: Deps,
  workers: ConnectedWorkers,
  input: { workspaceId: string; actor: User; keyId: string },
): Promise<RevokeApiKeyResponse> {
  const before = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  const alreadyRevoked = before.revokedAt !== null;
  // Counted before the revocation commits: the workers connected with the key, about to be cut off.
  const connected = alreadyRevoked ? 0 : await workers.countConnectedWithKey(input.workspaceId, before.id);
  if (!alreadyRevoked) {
    const change = await deps.db.transaction().execute((trx) =>
      revokeKeys(trx, {
        keyIds: [before.id],
        by: input.actor.id,
        reason: "revoked",
        at: isoAt(deps.clock),
      }),
    );
    if (change) {
      await deps.keyChanges.announce(change);
      await deps.bus.publish({ type: "api_key.revoked", workspaceId: input.workspaceId, keyId: before.id });
    }
  }
  const apiKey = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  return { apiKey, disconnectedWorkers: connected };
}
