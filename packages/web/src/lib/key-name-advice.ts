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

export type KeyNameAdvice =
  | { kind: "ok" }
  | { kind: "generic"; message: string }
  | { kind: "duplicate"; message: string };

export function adviseOnKeyName(name: string, activeNamesOfOwner: readonly string[]): KeyNameAdvice {
  const trimmed = name.trim();
  if (trimmed === "") return { kind: "ok" };
  const core = trimmed.toLowerCase().replace(/[^a-z]/g, "");
  if (GENERIC_NAMES.has(core) || core === "") {
    return {
      kind: "generic",
      message: `"${trimmed}" does not say who or what uses the key. When more than one person operates the workspace, a name such as alice-macbook-worker or buildkite-prod-worker makes revoking the right key obvious.`,
    };
  }
  const lower = trimmed.toLowerCase();
  if (activeNamesOfOwner.some((existing) => existing.trim().toLowerCase() === lower)) {
    return {
      kind: "duplicate",
      message: `You already have an active key named "${trimmed}". Two keys with one name are hard to tell apart when revoking; add the machine or a date.`,
    };
  }
  return { kind: "ok" };
}
