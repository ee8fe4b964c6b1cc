/**
 * Rolling a key (SPEC.md v1.1): one action makes the replacement (same name, same owner) and gives
 * the old key a grace window, so workers move to the new key without a gap. Allowed at the 25-key
 * limit: the old key is marked in the same transaction before the count, and a key whose expiry a
 * roll set no longer counts.
 */
import {
  API_KEY_LIMIT,
  type ApiKey,
  generateApiKey,
  type Roll,
  type RollApiKeyResponse,
  type User,
} from "@cogno/protocol";
import { NO_ORIGIN, type RequestOrigin, userActor } from "../audit/service.ts";
import { recordAudit } from "../audit/store.ts";
import type { Deps } from "../deps.ts";
import { recordKeyChange } from "../events/key-change-log.ts";
import type { KeyChange } from "../events/key-changes.ts";
import { AppError } from "../http/errors.ts";
import { announceCommitted } from "./after-commit.ts";
import { findKeyHistory, markKeyRolled } from "./life-cycle-store.ts";
import { findVisibleKey, LIMIT_MESSAGE, newKeyRow } from "./service.ts";
import { findApiKeyInWorkspace, insertApiKeyWithinLimit } from "./store.ts";

/** Why a key cannot be rolled, as a sentence that says what to do instead; undefined if it can. */
export function refusalToRoll(apiKey: ApiKey, roll: Roll | undefined): string | undefined {
  const instead = "Create a new key instead.";
  if (apiKey.revokedReason === "expired")
    return `This key expired at ${apiKey.revokedAt}, so it cannot be rolled. ${instead}`;
  if (apiKey.revokedReason === "rolled")
    return `This key was rolled and its grace window ended at ${apiKey.revokedAt}. Use the key that replaced it, or create a new key.`;
  if (apiKey.revokedAt !== null) return `This key was revoked, so it cannot be rolled. ${instead}`;
  if (roll !== undefined) {
    const replacement = roll.replacedBy ? ` by "${roll.replacedBy.name}" (${roll.replacedBy.prefix}…)` : "";
    return `This key was already rolled at ${roll.rolledAt} and replaced${replacement}. Roll the replacement instead, or revoke this key to end its grace window now.`;
  }
  return undefined;
}

export async function rollApiKey(
  deps: Deps,
  input: {
    workspaceId: string;
    actor: User;
    keyId: string;
    expiresInSeconds: number;
    origin?: RequestOrigin;
  },
): Promise<RollApiKeyResponse> {
  const old = await findVisibleKey(deps, input.workspaceId, input.actor, input.keyId);
  const refusal = refusalToRoll(old, (await findKeyHistory(deps.db, old.id)).roll);
  if (refusal !== undefined) throw new AppError("conflict", refusal);

  // One reading of the clock: with no grace the window must end exactly when it starts.
  const started = deps.clock.now().getTime();
  const now = new Date(started).toISOString();
  const graceEndsAt = new Date(started + input.expiresInSeconds * 1000).toISOString();
  const endsNow = input.expiresInSeconds === 0;
  const actor = userActor(input.actor, input.origin ?? NO_ORIGIN);
  const key = generateApiKey();
  const row = newKeyRow({
    key,
    workspaceId: input.workspaceId,
    ownerId: old.owner.id,
    name: old.name,
    createdAt: now,
    expiresAt: null,
  });
  const committed: { change?: KeyChange; previous?: ApiKey } = {};
  const result = await insertApiKeyWithinLimit(deps.db, row, {
    limit: API_KEY_LIMIT,
    now,
    countsToward: async (trx) => {
      const marked = await markKeyRolled(trx, {
        keyId: old.id,
        at: now,
        expiresAt: graceEndsAt,
        replacedBy: row.id,
        by: input.actor.id,
      });
      if (!marked)
        throw new AppError(
          "conflict",
          "This key was revoked or rolled a moment ago, so it cannot be rolled. Reload the key to see its state.",
        );
    },
    afterInsert: async (trx, apiKey) => {
      const previous = await findApiKeyInWorkspace(trx, input.workspaceId, old.id, now);
      await recordAudit(trx, [
        {
          workspaceId: input.workspaceId,
          at: now,
          action: "api_key.created",
          actor,
          target: { type: "api_key", id: apiKey.id, name: apiKey.name },
          details: { prefix: apiKey.prefix, expiresAt: null, rolledFrom: old.id },
        },
        {
          workspaceId: input.workspaceId,
          at: now,
          action: "api_key.rolled",
          actor,
          target: { type: "api_key", id: old.id, name: old.name },
          details: {
            prefix: old.prefix,
            replacedBy: apiKey.id,
            replacementPrefix: apiKey.prefix,
            graceSeconds: input.expiresInSeconds,
            expiresAt: previous?.expiresAt ?? graceEndsAt,
          },
        },
      ]);
      // No grace: the old key stops now, everywhere. A grace window: replicas re-read its expiry.
      committed.change = await recordKeyChange(trx, {
        keyIds: [old.id],
        change: endsNow ? "revoked" : "updated",
        reason: endsNow ? "rolled" : null,
        at: now,
      });
      committed.previous = previous;
    },
  });
  if (result.outcome === "not_member")
    throw new AppError(
      "conflict",
      "The owner of this key is no longer a member of this workspace, so it cannot be rolled.",
    );
  if (result.outcome === "limit_reached") throw new AppError("api_key_limit_reached", LIMIT_MESSAGE);

  // Awaited before answering: with no grace the old key is cut off on every replica first.
  await announceCommitted(deps, committed.change, [
    { type: "api_key.created", workspaceId: input.workspaceId, keyId: result.apiKey.id },
    { type: endsNow ? "api_key.revoked" : "api_key.updated", workspaceId: input.workspaceId, keyId: old.id },
  ]);
  return { apiKey: result.apiKey, key, previous: committed.previous ?? old };
}
