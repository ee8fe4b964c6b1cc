/**
 * Which of a person's active keys count toward the 25 (API.md v1.1): all but a key in a roll's grace
 * window, which still works until its expiry. The list does not mark rolled keys, so the page
 * recognises the roll by its shape: an older key with an expiry beside a newer active key of the
 * same name and owner (a roll makes exactly that). The server's count decides; this keeps the
 * counter and the Create button in step with it.
 */
import type { ApiKey } from "@cogno/protocol";

export function countsTowardLimit(apiKey: ApiKey, activeKeysOfOwner: readonly ApiKey[]): boolean {
  if (apiKey.revokedAt !== null) return false;
  if (apiKey.expiresAt === null) return true;
  const replaced = activeKeysOfOwner.some(
    (other) =>
      other.id !== apiKey.id &&
      other.owner.id === apiKey.owner.id &&
      other.name === apiKey.name &&
      other.createdAt > apiKey.createdAt,
  );
  return !replaced;
}
