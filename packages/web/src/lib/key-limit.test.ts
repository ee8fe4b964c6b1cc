import type { ApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { countsTowardLimit } from "./key-limit.ts";

const owner = { id: "usr_1", email: "a@example.com", name: "Alice" };
const key = (id: string, name: string, createdAt: string, expiresAt: string | null = null): ApiKey => ({
  id,
  name,
  prefix: `cogno_wk_${id}`,
  scope: "worker",
  createdAt,
  lastUsedAt: null,
  lastUsedIp: null,
  expiresAt,
  revokedAt: null,
  revokedReason: null,
  owner,
});

describe("countsTowardLimit", () => {
  it("leaves out a rolled key in its grace window, and counts everything else that is active", () => {
    const rolled = key("old", "ci", "2026-06-01T00:00:00.000Z", "2026-06-20T00:00:00.000Z");
    const replacement = key("new", "ci", "2026-06-15T00:00:00.000Z");
    const expiring = key("exp", "laptop", "2026-06-02T00:00:00.000Z", "2026-07-01T00:00:00.000Z");
    const plain = key("plain", "build", "2026-06-03T00:00:00.000Z");
    const all = [rolled, replacement, expiring, plain];
    expect(all.filter((one) => countsTowardLimit(one, all)).map((one) => one.id)).toEqual([
      "new",
      "exp",
      "plain",
    ]);
  });
});
