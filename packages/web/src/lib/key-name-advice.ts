/**
 * Advice on an API key's name, from the help page's "Naming keys": names must make revocation
 * decisions obvious. This warns and never blocks; the server enforces only the length.
 */

/** Names that say nothing about who or what uses the key, once digits and punctuation are set aside. */
const GENERIC_NAMES = new Set([
  "test",
  "testing",
  "key",
  "apikey",
  "mykey",
  "newkey",
  "worker",
  "token",
  "default",
  "temp",
  "tmp",
  "foo",
  "bar",
  "asdf",
  "secret",
  "cogno",
  "prod",
  "dev",
]);

/** An active key the person can see: their own, or (owners and admins) anyone's in the workspace. */
export interface ExistingKey {
  name: string;
  prefix: string;
  /** The owner's name when the key is someone else's; null for the person's own key. */
  otherOwner: string | null;
}

export type KeyNameAdvice =
  | { kind: "ok" }
  | { kind: "generic"; message: string }
  | { kind: "duplicate"; message: string };

/** Names compare as a person reads them: case and runs of spaces do not make two names different. */
function comparable(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLowerCase();
}

export function adviseOnKeyName(name: string, existingKeys: readonly ExistingKey[]): KeyNameAdvice {
  const trimmed = name.trim();
  if (trimmed === "") return { kind: "ok" };
  // A twin is the stronger warning: it is the one that leads to revoking the wrong key.
  const twin = existingKeys.find((existing) => comparable(existing.name) === comparable(trimmed));
  if (twin) {
    const whose = twin.otherOwner === null ? "You already have" : `${twin.otherOwner} already has`;
    return {
      kind: "duplicate",
      message: `${whose} an active key named "${twin.name.trim()}" (${twin.prefix}…). Two keys with one name are hard to tell apart when revoking; add the machine or a date.`,
    };
  }
  const core = trimmed.toLowerCase().replace(/[^a-z]/g, "");
  if (GENERIC_NAMES.has(core) || core === "") {
    return {
      kind: "generic",
      message: `"${trimmed}" does not say who or what uses the key. When more than one person operates the workspace, a name such as alice-macbook-worker or buildkite-prod-worker makes revoking the right key obvious.`,
    };
  }
  return { kind: "ok" };
}
