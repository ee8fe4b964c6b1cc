import {
  API_KEY_LIMIT,
  type ApiKey,
  type CreateApiKeyResponse,
  displayPrefixOf,
  generateApiKey,
  parseApiKey,
  type RevokeApiKeyResponse,
  type User,
  type Worker,
} from "@cogno/protocol";
import { isoAt } from "../clock.ts";
import { equalInConstantTime, sha256Hex } from "../crypto.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { canManageAllKeys } from "../workspaces/roles.ts";
import { authorizeMember } from "../workspaces/service.ts";
import type { LastUsedThrottle } from "./last-used.ts";
import {
  findApiKeyByHash,
  findApiKeyInWorkspace,
  insertApiKeyWithinLimit,
  type KeyIdentity,
  listApiKeyRows,
  markApiKeyRevoked,
  touchLastUsed,
} from "./store.ts";
import type { VerifiedKeyCache } from "./verified-keys.ts";

/**
 * What the key domain needs to know about workers, without importing the workers domain:
 * app.ts hands in the workers' implementation.
 */
export interface ConnectedWorkers {
  listConnectedWithKey(workspaceId: string, keyId: string): Promise<Worker[]>;
  countConnectedWithKey(workspaceId: string, keyId: string): Promise<number>;
}

export const LIMIT_MESSAGE = `You already have ${API_KEY_LIMIT} active API keys in this workspace, the most one person can hold. Revoke a key you no longer use in Settings > API Keys, then create the new one.`;

export async function createApiKey(
  deps: Deps,
  input: { workspaceId: string; actor: User; name: string },
): Promise<CreateApiKeyResponse> {
  await authorizeMember(deps, input.workspaceId, input.actor.id);
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
      created_at: isoAt(deps.clock),
      last_used_at: null,
      revoked_at: null,
      revoked_by: null,
    },
    API_KEY_LIMIT,
  );
  if (result.outcome === "not_member")
    throw new AppError("forbidden", "You are not a member of this workspace.");
  if (result.outcome === "limit_reached") throw new AppError("api_key_limit_reached", LIMIT_MESSAGE);
  await deps.bus.publish({ type: "api_key.created", workspaceId: input.workspaceId, apiKey: result.apiKey });
  return { apiKey: result.apiKey, key };
}

export async function listApiKeys(
  deps: Deps,
  input: { workspaceId: string; actor: User; includeRevoked: boolean },
): Promise<ApiKey[]> {
  const role = await authorizeMember(deps, input.workspaceId, input.actor.id);
  return listApiKeyRows(deps.db, {
    workspaceId: input.workspaceId,
    ownerId: canManageAllKeys(role) ? undefined : input.actor.id,
    includeRevoked: input.includeRevoked,
  });
}

/** A key the actor may see: owners and admins see all, members their own; others are "not found". */
async function findVisibleKey(deps: Deps, workspaceId: string, actor: User, keyId: string): Promise<ApiKey> {
  const role = await authorizeMember(deps, workspaceId, actor.id);
  const apiKey = await findApiKeyInWorkspace(deps.db, workspaceId, keyId);
  if (!apiKey || (!canManageAllKeys(role) && apiKey.owner.id !== actor.id)) {
    throw new AppError("not_found", "No such API key in this workspace.");
  }
  return apiKey;
}

export async function getApiKey(
  deps: Deps,
  workers: ConnectedWorkers,
  input: { workspaceId: string; actor: User; keyId: string },
): Promise<{ apiKey: ApiKey; workers: Worker[] }> {
  const apiKey = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  // A revoked key has no connected workers: its sockets were closed when it was revoked.
  if (apiKey.revokedAt !== null) return { apiKey, workers: [] };
  return { apiKey, workers: await workers.listConnectedWithKey(input.workspaceId, apiKey.id) };
}

/**
 * Revokes a key: committed first, then announced. Local worker sockets are closed before this
 * returns (the bus delivers locally at once); authentication reads the database, so no request that
 * starts after the answer can succeed with the key on any replica.
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
  if (!alreadyRevoked) await markApiKeyRevoked(deps.db, before.id, input.actor.id, isoAt(deps.clock));
  const apiKey = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  // Announced every time, also when asked again: if an earlier announcement failed after the commit
  // (the DELETE then answered 500), the retry is what closes the sockets and clears caches.
  await deps.bus.publish({ type: "api_key.revoked", workspaceId: input.workspaceId, apiKey });
  return { apiKey, disconnectedWorkers: connected };
}

export interface AuthenticatedKey {
  apiKey: ApiKey;
  workspace: { id: string; name: string };
}

// The scheme is case-insensitive (RFC 9110, section 11.1): "bearer" and "BEARER" are the same header.
const BEARER = /^Bearer +(\S+)$/i;

/**
 * Authenticates a worker request from its Authorization header. A malformed key is refused before
 * any database look-up (its checksum fails); failures count towards the client's rate limit.
 */
export async function authenticateApiKey(
  deps: Deps,
  memory: KeyAuthenticationMemory,
  authorization: string | undefined,
  client: string,
): Promise<AuthenticatedKey> {
  deps.limiters.bearer.assertAllowed(client);
  const fail = (error: AppError): never => {
    deps.limiters.bearer.recordFailure(client);
    throw error;
  };
  const candidate = authorization?.match(BEARER)?.[1];
  if (candidate === undefined) {
    return fail(
      new AppError("api_key_malformed", "Send the API key in the Authorization header as: Bearer cogno_wk_…"),
    );
  }
  const parsed = parseApiKey(candidate);
  if (!parsed.ok) return fail(new AppError("api_key_malformed", parsed.message));
  const keyHash = sha256Hex(parsed.key);
  const identity = await lookUpKey(deps, memory.verified, keyHash);
  if (!identity) {
    return fail(
      new AppError(
        "api_key_invalid",
        `The API key ${parsed.displayPrefix}… does not exist. Create a key in Settings > API Keys, then run cogno login --token <key>.`,
      ),
    );
  }
  const { apiKey } = identity;
  if (apiKey.revokedAt !== null) {
    return fail(
      new AppError(
        "api_key_revoked",
        `The API key "${apiKey.name}" (${apiKey.prefix}…) was revoked. Create a new key in Settings > API Keys, then run cogno login --token <key>.`,
      ),
    );
  }
  recordKeyUse(deps, memory, apiKey.id);
  return { apiKey, workspace: identity.workspace };
}

/** What key authentication remembers between requests: when use was last written, and (one SQLite server only) verified keys. */
export interface KeyAuthenticationMemory {
  lastUsed: LastUsedThrottle;
  verified: VerifiedKeyCache | undefined;
}

async function lookUpKey(
  deps: Deps,
  verified: VerifiedKeyCache | undefined,
  keyHash: string,
): Promise<KeyIdentity | undefined> {
  const cached = verified?.find(keyHash);
  if (cached) return cached; // found by the hash itself: nothing left to compare
  const generation = verified?.generation ?? 0;
  const found = await findApiKeyByHash(deps.db, keyHash);
  // The database matched by index; the row is trusted only after a constant-time comparison.
  const identity = found && equalInConstantTime(found.keyHash, keyHash) ? found : undefined;
  if (identity) verified?.remember(identity, generation);
  return identity;
}

const LAST_USED_EVERY_MS = 60_000;

/**
 * Keeps a key's last-used time fresh to the minute without turning every request into a write.
 * Called when a key authenticates, and by the gateway for keys whose workers stay connected.
 */
export function recordKeyUse(deps: Deps, memory: KeyAuthenticationMemory, keyId: string): void {
  const now = deps.clock.now().getTime();
  if (!memory.lastUsed.shouldWrite(keyId, now)) return;
  touchLastUsed(
    deps.db,
    keyId,
    new Date(now).toISOString(),
    new Date(now - LAST_USED_EVERY_MS).toISOString(),
  ).catch((error: unknown) => deps.log.warn({ err: error, keyId }, "could not record key use"));
}

export { LAST_USED_EVERY_MS };
