import { API_KEY_LIMIT, generateApiKey, type User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signUp } from "../auth/service.ts";
import { sha256Hex } from "../crypto.ts";
import { codeOf } from "../testing/error-code.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { LastUsedThrottle } from "./last-used.ts";
import {
  authenticateApiKey,
  type ConnectedWorkers,
  createApiKey,
  type KeyAuthenticationMemory,
  LIMIT_MESSAGE,
  listApiKeys,
  revokeApiKey,
} from "./service.ts";
import { VerifiedKeyCache } from "./verified-keys.ts";

const noWorkers: ConnectedWorkers = {
  listConnectedWithKey: async () => [],
  countConnectedWithKey: async () => 0,
};
let deps: TestDeps;
let alice: User;
let workspaceId: string;

beforeEach(async () => {
  deps = await createTestDeps();
  alice = (await signUp(deps, { email: "alice@example.com", password: "long enough", name: "Alice" }, "test"))
    .user;
  workspaceId = (await createWorkspace(deps, alice.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

describe("createApiKey", () => {
  it("returns the raw key once and stores only its SHA-256 hash and display prefix", async () => {
    const { apiKey, key } = await createApiKey(deps, { workspaceId, actor: alice, name: "ci" });
    expect(apiKey.prefix).toBe(key.slice(0, 17));
    const rows = await deps.db.selectFrom("api_keys").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key_hash).toBe(sha256Hex(key));
    expect(JSON.stringify(rows)).not.toContain(key.slice(17));
    expect(
      JSON.stringify(await listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: true })),
    ).not.toContain(key.slice(17));
  });

  it("refuses the 26th active key with a message that names the limit and the remedy, and frees a slot on revoke", async () => {
    const created = [];
    for (let i = 0; i < API_KEY_LIMIT; i++)
      created.push(await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}` }));
    await expect(
      createApiKey(deps, { workspaceId, actor: alice, name: "one too many" }),
    ).rejects.toMatchObject({
      code: "api_key_limit_reached",
      message: LIMIT_MESSAGE,
    });
    expect(LIMIT_MESSAGE).toContain("25");
    expect(LIMIT_MESSAGE).toMatch(/Revoke/);
    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: created[0]?.apiKey.id ?? "" });
    expect(await codeOf(createApiKey(deps, { workspaceId, actor: alice, name: "replacement" }))).toBe("ok");
  });

  it("announces a created key on the bus without the raw key", async () => {
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "announced" });
    expect(deps.events.map((event) => event.type)).toEqual(["api_key.created"]);
    expect(JSON.stringify(deps.events)).not.toContain(key.slice(17));
  });
});

describe("revokeApiKey", () => {
  it("publishes the revocation after it is committed, and again when asked again, keeping the first revokedAt", async () => {
    const { apiKey } = await createApiKey(deps, { workspaceId, actor: alice, name: "to revoke" });
    let committedWhenPublished: string | null | undefined;
    deps.bus.subscribe((event) => {
      if (event.type !== "api_key.revoked") return;
      // The listener runs before revokeApiKey returns; the row must already say revoked.
      committedWhenPublished = event.apiKey.revokedAt;
    });
    const first = await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
    deps.clock.advance(5_000);
    const second = await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
    expect(committedWhenPublished).toBe(first.apiKey.revokedAt);
    expect(second.apiKey.revokedAt).toBe(first.apiKey.revokedAt);
    // Announced again on the second call, with the same revokedAt: repeating it is harmless, and it
    // repairs an announcement that failed after the commit.
    const announced = deps.events.filter((event) => event.type === "api_key.revoked");
    expect(announced.map((event) => event.type === "api_key.revoked" && event.apiKey.revokedAt)).toEqual([
      first.apiKey.revokedAt,
      first.apiKey.revokedAt,
    ]);
  });
});

function memoryWith(cache: boolean): KeyAuthenticationMemory {
  return {
    lastUsed: new LastUsedThrottle(60_000),
    verified: cache ? new VerifiedKeyCache(deps.bus) : undefined,
  };
}

describe.each([
  ["reading the database every time", false],
  ["with the verified-key cache", true],
])("authenticateApiKey, %s", (_label, cache) => {
  it("refuses a malformed key without touching the database", async () => {
    const throttle = memoryWith(cache);
    await deps.db.destroy(); // any look-up now fails loudly
    for (const header of [
      undefined,
      "Bearer nope",
      `Bearer ${generateApiKey().slice(0, 54)}x`,
      "Basic abc",
    ]) {
      expect(await codeOf(authenticateApiKey(deps, throttle, header, "client-malformed"))).toBe(
        "api_key_malformed",
      );
    }
    const closed = deps;
    deps = await createTestDeps(); // afterEach cleans up a live one
    await closed.cleanup();
  });

  it("tells an unknown key from a revoked one, and records use at most once a minute", async () => {
    const throttle = memoryWith(cache);
    const { apiKey, key } = await createApiKey(deps, { workspaceId, actor: alice, name: "used" });
    expect(await codeOf(authenticateApiKey(deps, throttle, `Bearer ${generateApiKey()}`, "c1"))).toBe(
      "api_key_invalid",
    );

    await authenticateApiKey(deps, throttle, `Bearer ${key}`, "c1");
    await new Promise((resolve) => setTimeout(resolve, 20)); // the use is written off the request's path
    const firstUse = (await listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: false }))[0]
      ?.lastUsedAt;
    expect(firstUse).toBe(deps.clock.now().toISOString());

    deps.clock.advance(30_000);
    await authenticateApiKey(deps, throttle, `Bearer ${key}`, "c1");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(
      (await listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: false }))[0]?.lastUsedAt,
    ).toBe(firstUse);

    deps.clock.advance(31_000);
    await authenticateApiKey(deps, throttle, `Bearer ${key}`, "c1");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(
      (await listApiKeys(deps, { workspaceId, actor: alice, includeRevoked: false }))[0]?.lastUsedAt,
    ).toBe(deps.clock.now().toISOString());

    await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
    expect(await codeOf(authenticateApiKey(deps, throttle, `Bearer ${key}`, "c1"))).toBe("api_key_revoked");
  });

  it("rate-limits a client after repeated failures, while other clients pass", async () => {
    const throttle = memoryWith(cache);
    const { key } = await createApiKey(deps, { workspaceId, actor: alice, name: "limited" });
    for (let i = 0; i < 5; i++) await codeOf(authenticateApiKey(deps, throttle, "Bearer bad", "guesser"));
    expect(await codeOf(authenticateApiKey(deps, throttle, `Bearer ${key}`, "guesser"))).toBe("rate_limited");
    expect(await codeOf(authenticateApiKey(deps, throttle, `Bearer ${key}`, "someone-else"))).toBe("ok");
    deps.clock.advance(60_000);
    expect(await codeOf(authenticateApiKey(deps, throttle, `Bearer ${key}`, "guesser"))).toBe("ok");
  });
});

describe("the verified-key cache", () => {
  it("never serves a key after its revocation, even when the look-up raced the revocation", async () => {
    const memory = memoryWith(true);
    for (let round = 0; round < 20; round++) {
      const { apiKey, key } = await createApiKey(deps, { workspaceId, actor: alice, name: `race-${round}` });
      const client = `client-${round}`; // one per round: the failures below must not add up to a rate limit
      if (round % 2 === 0) await authenticateApiKey(deps, memory, `Bearer ${key}`, client); // cached before the race
      const inFlight = authenticateApiKey(deps, memory, `Bearer ${key}`, client).catch(() => undefined);
      await revokeApiKey(deps, noWorkers, { workspaceId, actor: alice, keyId: apiKey.id });
      await inFlight;
      expect(await codeOf(authenticateApiKey(deps, memory, `Bearer ${key}`, client))).toBe("api_key_revoked");
    }
  });

  it("ignores a look-up read before a revocation that has since passed", async () => {
    const cache = new VerifiedKeyCache(deps.bus);
    const before = cache.generation;
    await deps.bus.publish({
      type: "api_key.revoked",
      workspaceId,
      apiKey: {
        id: "key_other",
        name: "x",
        prefix: "cogno_wk_xxxxxxxx",
        scope: "worker",
        createdAt: "",
        lastUsedAt: null,
        revokedAt: "",
        owner: alice,
      },
    });
    cache.remember(
      {
        keyHash: "h",
        workspace: { id: workspaceId, name: "Acme" },
        apiKey: {
          id: "key_read_earlier",
          name: "y",
          prefix: "cogno_wk_yyyyyyyy",
          scope: "worker",
          createdAt: "",
          lastUsedAt: null,
          revokedAt: null,
          owner: alice,
        },
      },
      before,
    );
    expect(cache.find("h")).toBeUndefined();
  });
});
