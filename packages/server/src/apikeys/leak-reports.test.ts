import { generateApiKey, type User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listAuditEntries } from "../audit/store.ts";
import { signUp } from "../auth/service.ts";
import { sha256Hex } from "../crypto.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { reportLeakedKeys } from "./leak-reports.ts";
import { rollApiKey } from "./roll.ts";
import { type ConnectedWorkers, createApiKey, getApiKey, revokeApiKey } from "./service.ts";

const noWorkers: ConnectedWorkers = {
  listConnectedWithKey: async () => [],
  countConnectedWithKey: async () => 0,
  listRecentWithKey: async () => [],
};
const reporter = { ip: "192.0.2.10", userAgent: "GitHub-Secret-Scanning" };
let deps: TestDeps;
let alice: User;
let workspaceId: string;

beforeEach(async () => {
  deps = await createTestDeps();
  alice = (await signUp(deps, { email: "alice@example.com", password: "long enough", name: "Alice" }, "t"))
    .user;
  workspaceId = (await createWorkspace(deps, alice.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

const finding = (token: string, url = "https://github.com/o/r/blob/main/.env") => ({
  token,
  type: "cogno_api_key",
  url,
  source: "content",
});

async function detail(keyId: string) {
  return getApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId });
}

async function leakEntries() {
  const { entries } = await listAuditEntries(deps.db, {
    workspaceId,
    action: "api_key.reported_leaked",
    actor: undefined,
    before: undefined,
    limit: 50,
  });
  return entries;
}

describe("a leaked-key report", () => {
  it("labels each finding, and revokes a live key at once with reason leaked, announced before it answers", async () => {
    const live = await createApiKey(deps, { workspaceId, actor: alice, name: "live" });
    const unknown = generateApiKey();
    const mistyped = `${live.key.slice(0, -1)}${live.key.endsWith("A") ? "B" : "A"}`;
    deps.keyChangesSeen.length = 0;
    deps.events.length = 0;
    const answer = await reportLeakedKeys(
      deps,
      [finding(live.key), finding(unknown), finding(mistyped), { ...finding("ghp_notours"), type: "other" }],
      reporter,
    );
    expect(answer).toEqual([
      { token_hash: sha256Hex(live.key), token_type: "cogno_api_key", label: "true_positive" },
      { token_hash: sha256Hex(unknown), token_type: "cogno_api_key", label: "false_positive" },
      { token_hash: sha256Hex(mistyped), token_type: "cogno_api_key", label: "false_positive" },
      { token_hash: sha256Hex("ghp_notours"), token_type: "other", label: "false_positive" },
    ]);
    expect(deps.keyChangesSeen).toEqual([
      { seq: expect.any(Number), keyIds: [live.apiKey.id], change: "revoked", reason: "leaked" },
    ]);
    expect(deps.events).toEqual([{ type: "api_key.revoked", workspaceId, keyId: live.apiKey.id }]);
    const shown = await detail(live.apiKey.id);
    expect(shown.apiKey).toMatchObject({
      revokedAt: deps.clock.now().toISOString(),
      revokedReason: "leaked",
    });
    expect(shown.leakReport).toEqual({
      url: "https://github.com/o/r/blob/main/.env",
      source: "content",
      reportedAt: deps.clock.now().toISOString(),
    });
    expect(await leakEntries()).toEqual([
      expect.objectContaining({
        actor: { type: "reporter", id: null, name: "Leaked-key report" },
        target: { type: "api_key", id: live.apiKey.id, name: "live" },
        ip: "192.0.2.10",
        userAgent: "GitHub-Secret-Scanning",
        details: { url: "https://github.com/o/r/blob/main/.env", source: "content" },
      }),
    ]);
  });

  it("keeps the first revocation of a key revoked before, and still says where it leaked", async () => {
    const revoked = await createApiKey(deps, { workspaceId, actor: alice, name: "old" });
    const first = await revokeApiKey(deps, noWorkers, {
      workspaceId,
      actor: alice,
      keyId: revoked.apiKey.id,
    });
    deps.clock.advance(60_000);
    deps.keyChangesSeen.length = 0;
    const [label] = await reportLeakedKeys(deps, [finding(revoked.key)], reporter);
    expect(label?.label).toBe("true_positive");
    expect(deps.keyChangesSeen).toEqual([]);
    const shown = await detail(revoked.apiKey.id);
    expect(shown.apiKey).toMatchObject({ revokedAt: first.apiKey.revokedAt, revokedReason: "revoked" });
    expect(shown.leakReport?.reportedAt).toBe(deps.clock.now().toISOString());
    expect(await leakEntries()).toHaveLength(1);
  });

  it("labels an expired key true_positive, and revokes a rolled key still in its grace window", async () => {
    const expiring = await createApiKey(deps, {
      workspaceId,
      actor: alice,
      name: "expiring",
      expiresAt: new Date(deps.clock.now().getTime() + 1_000).toISOString(),
    });
    const old = await createApiKey(deps, { workspaceId, actor: alice, name: "rolled" });
    await rollApiKey(deps, { workspaceId, actor: alice, keyId: old.apiKey.id, expiresInSeconds: 3_600 });
    deps.clock.advance(1_000);
    const answer = await reportLeakedKeys(deps, [finding(expiring.key), finding(old.key)], reporter);
    expect(answer.map((item) => item.label)).toEqual(["true_positive", "true_positive"]);
    expect((await detail(old.apiKey.id)).apiKey.revokedReason).toBe("leaked");
    expect((await detail(expiring.apiKey.id)).apiKey.revokedReason).toBe("expired");
  });

  it("keeps where a key was first found when later reports name other places", async () => {
    const live = await createApiKey(deps, { workspaceId, actor: alice, name: "twice" });
    await reportLeakedKeys(
      deps,
      [finding(live.key, "https://first.example/a"), finding(live.key, "https://first.example/a")],
      reporter,
    );
    deps.clock.advance(1_000);
    await reportLeakedKeys(deps, [finding(live.key, "https://second.example/b")], reporter);
    expect((await detail(live.apiKey.id)).leakReport?.url).toBe("https://first.example/a");
    expect((await leakEntries()).map((entry) => entry.details.url)).toEqual([
      "https://second.example/b",
      "https://first.example/a",
    ]);
  });

  it("stores no reported token, and strips control characters from where it was found", async () => {
    const live = await createApiKey(deps, { workspaceId, actor: alice, name: "stored" });
    const foreign = "xoxb-foreign-secret-123456";
    await reportLeakedKeys(
      deps,
      [
        { token: live.key, type: "t", url: "https://e.example/\u001b[2Jx", source: "com\u0007mit" },
        finding(foreign),
      ],
      reporter,
    );
    const dump = JSON.stringify([
      await deps.db.selectFrom("api_keys").selectAll().execute(),
      await deps.db.selectFrom("audit_log").selectAll().execute(),
      await deps.db.selectFrom("key_changes").selectAll().execute(),
    ]);
    expect(dump).not.toContain(live.key);
    expect(dump).not.toContain(foreign);
    expect((await detail(live.apiKey.id)).leakReport).toMatchObject({
      url: "https://e.example/[2Jx",
      source: "commit",
    });
  });
});
