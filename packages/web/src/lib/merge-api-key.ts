import type { ApiKey } from "@cogno/protocol";

/**
 * Folds one key (just created, or revoked, by this tab or by a live event) into the list, which
 * stays newest first. A revoked key leaves the list unless revoked keys are being shown.
 */
export function mergeApiKey(keys: readonly ApiKey[], apiKey: ApiKey, includeRevoked: boolean): ApiKey[] {
  const others = keys.filter((key) => key.id !== apiKey.id);
  if (apiKey.revokedAt !== null && !includeRevoked) return others;
  const existing = keys.find((key) => key.id === apiKey.id);
  // A late "created" event must not undo a revocation this list already knows about.
  const merged = existing?.revokedAt && apiKey.revokedAt === null ? existing : apiKey;
  return [...others, merged].sort(compareNewestFirst);
}

function compareNewestFirst(left: ApiKey, right: ApiKey): number {
  return right.createdAt.localeCompare(left.createdAt) || right.id.localeCompare(left.id);
}
