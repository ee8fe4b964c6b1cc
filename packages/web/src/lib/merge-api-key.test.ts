import type { ApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { mergeApiKey } from "./merge-api-key.ts";

const owner = { id: "usr_1", email: "a@example.com", name: "Alice" };
const key = (id: string, createdAt: string, revokedAt: string | null = null): ApiKey => ({
  id,
  name: id,
  prefix: "cogno_wk_abcdefgh",
  scope: "worker",
  createdAt,
  lastUsedAt: null,
  lastUsedIp: null,
  expiresAt: null,
  revokedAt,
  revokedReason: revokedAt === null ? null : "revoked",
  owner,
});

describe("mergeApiKey", () => {
  const older = key("key_1", "2026-01-01T00:00:00Z");
  const newer = key("key_2", "2026-02-01T00:00:00Z");

  it("adds a new key at the top and never twice", () => {
    const once = mergeApiKey([older], newer, false);
    expect(once.map((k) => k.id)).toEqual(["key_2", "key_1"]);
    expect(mergeApiKey(once, newer, false).map((k) => k.id)).toEqual(["key_2", "key_1"]);
  });

  it("drops a revoked key unless revoked keys are shown", () => {
    const revoked = key("key_1", older.createdAt, "2026-03-01T00:00:00Z");
    expect(mergeApiKey([newer, older], revoked, false).map((k) => k.id)).toEqual(["key_2"]);
    expect(mergeApiKey([newer, older], revoked, true).find((k) => k.id === "key_1")?.revokedAt).toBe(
      revoked.revokedAt,
    );
  });

  it("does not let a late created event undo a revocation", () => {
    const revoked = key("key_1", older.createdAt, "2026-03-01T00:00:00Z");
    expect(mergeApiKey([revoked], older, true)[0]?.revokedAt).toBe(revoked.revokedAt);
  });
});
