/**
 * The whole browser login in-process, on the real database with a clock the test moves: authorize,
 * poll, approve or deny, the key once, expiry, slow_down, and the approver's 25-key limit.
 */
import { API_KEY_LIMIT, type User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../apikeys/service.ts";
import { signUp } from "../auth/service.ts";
import { sha256Hex } from "../crypto.ts";
import { codeOf } from "../testing/error-code.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createConnectedWorkers } from "../workers/service.ts";
import { createWorkspace } from "../workspaces/service.ts";
import {
  approveDeviceAuthorization,
  DEVICE_CODE_LIFETIME_SECONDS,
  denyDeviceAuthorization,
  pollDeviceToken,
  previewDeviceAuthorization,
  startDeviceAuthorization,
} from "./service.ts";

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

function start(clientName = "alice-laptop") {
  return startDeviceAuthorization(deps, {
    clientName,
    clientIp: "203.0.113.9",
    verificationUri: "https://cogno.example.com/device",
  });
}

/** Waits out the interval, as a well-behaved CLI does, then polls. */
async function pollAfterInterval(deviceCode: string, seconds = 5) {
  deps.clock.advance(seconds * 1000);
  return pollDeviceToken(deps, deviceCode);
}

describe("the device flow", () => {
  it("gives the CLI a key named after the machine once approved, exactly once", async () => {
    const started = await start("alice-laptop");
    expect(started).toEqual({
      deviceCode: expect.any(String),
      userCode: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      verificationUri: "https://cogno.example.com/device",
      verificationUriComplete: `https://cogno.example.com/device?code=${started.userCode}`,
      expiresIn: 600,
      interval: 5,
    });
    expect(await codeOf(pollAfterInterval(started.deviceCode))).toBe("authorization_pending");
    expect(await previewDeviceAuthorization(deps, started.userCode)).toEqual({
      clientName: "alice-laptop",
      expiresAt: new Date(Date.parse("2026-06-01T12:00:00.000Z") + 600_000).toISOString(),
    });

    const { apiKey } = await approveDeviceAuthorization(deps, {
      actor: alice,
      userCode: started.userCode,
      workspaceId,
    });
    expect(apiKey).toMatchObject({ name: "alice-laptop", owner: alice, revokedAt: null });

    const token = await pollAfterInterval(started.deviceCode);
    expect(token.apiKey).toEqual(apiKey);
    expect(token.workspace).toEqual({ id: workspaceId, name: "Acme" });
    expect(token.key.slice(0, 17)).toBe(apiKey.prefix);
    const stored = await deps.db
      .selectFrom("api_keys")
      .select("key_hash")
      .where("id", "=", apiKey.id)
      .executeTakeFirst();
    expect(stored?.key_hash).toBe(sha256Hex(token.key));

    expect(await codeOf(pollAfterInterval(started.deviceCode))).toBe("expired_token");
  });

  it("never has the key or the device code in the database in the clear, and forgets the seal once taken", async () => {
    const started = await start();
    await approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId });
    const dump = async () =>
      JSON.stringify([
        await deps.db.selectFrom("device_authorizations").selectAll().execute(),
        await deps.db.selectFrom("api_keys").selectAll().execute(),
        await deps.db.selectFrom("audit_log").selectAll().execute(),
      ]);
    const before = await dump();
    expect(before).not.toContain(started.deviceCode);
    expect(before).not.toContain(started.userCode.replace("-", ""));
    const row = await deps.db.selectFrom("device_authorizations").selectAll().executeTakeFirstOrThrow();
    expect(row.sealed_key).toMatch(/^v1\./);
    const { key } = await pollAfterInterval(started.deviceCode);
    expect(before).not.toContain(key.slice(9, 49));
    expect(await dump()).not.toContain(key.slice(9, 49));
    const after = await deps.db.selectFrom("device_authorizations").selectAll().executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: "used", sealed_key: null });
    expect(JSON.stringify(deps.events)).not.toContain(key.slice(9, 49));
  });

  it("regression: two polls at once with the approved code get the key once between them", async () => {
    const started = await start();
    await approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId });
    deps.clock.advance(5_000);
    const results = await Promise.all([
      codeOf(pollDeviceToken(deps, started.deviceCode)),
      codeOf(pollDeviceToken(deps, started.deviceCode)),
      codeOf(pollDeviceToken(deps, started.deviceCode)),
    ]);
    expect(results.filter((code) => code === "ok")).toHaveLength(1);
    expect(results.filter((code) => code !== "ok")).toEqual(["expired_token", "expired_token"]);
  });

  it("answers access_denied after a deny, and the code no longer shows or approves", async () => {
    const started = await start();
    await denyDeviceAuthorization(deps, { actor: alice, userCode: started.userCode.toLowerCase() });
    expect(await codeOf(pollAfterInterval(started.deviceCode))).toBe("access_denied");
    expect(await codeOf(previewDeviceAuthorization(deps, started.userCode))).toBe("not_found");
    expect(
      await codeOf(
        approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId }),
      ),
    ).toBe("not_found");
    expect(await codeOf(denyDeviceAuthorization(deps, { actor: alice, userCode: started.userCode }))).toBe(
      "not_found",
    );
    expect(await deps.db.selectFrom("api_keys").selectAll().execute()).toEqual([]);
  });

  it("expires after expiresIn: polls get expired_token, the code neither shows nor approves", async () => {
    const started = await start();
    deps.clock.advance(DEVICE_CODE_LIFETIME_SECONDS * 1000 - 1);
    expect(await codeOf(previewDeviceAuthorization(deps, started.userCode))).toBe("ok");
    deps.clock.advance(1);
    expect(await codeOf(pollDeviceToken(deps, started.deviceCode))).toBe("expired_token");
    expect(await codeOf(previewDeviceAuthorization(deps, started.userCode))).toBe("not_found");
    expect(
      await codeOf(
        approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId }),
      ),
    ).toBe("not_found");
  });

  it("an approved key not collected before expiry is not handed out late", async () => {
    const started = await start();
    await approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId });
    deps.clock.advance(DEVICE_CODE_LIFETIME_SECONDS * 1000);
    expect(await codeOf(pollDeviceToken(deps, started.deviceCode))).toBe("expired_token");
  });

  it("answers expired_token for an unknown device code", async () => {
    expect(await codeOf(pollDeviceToken(deps, "not-a-device-code"))).toBe("expired_token");
  });

  it("answers slow_down to a poll sooner than the interval, and lengthens the interval by 5 s each time", async () => {
    const started = await start();
    expect(await codeOf(pollDeviceToken(deps, started.deviceCode))).toBe("authorization_pending");
    deps.clock.advance(1_000);
    expect(await codeOf(pollDeviceToken(deps, started.deviceCode))).toBe("slow_down");
    const interval = async () =>
      (await deps.db.selectFrom("device_authorizations").select("interval_seconds").executeTakeFirstOrThrow())
        .interval_seconds;
    expect(await interval()).toBe(10);
    // 5 s is no longer enough: the interval is 10 now.
    expect(await codeOf(pollAfterInterval(started.deviceCode, 5))).toBe("slow_down");
    expect(await interval()).toBe(15);
    expect(await codeOf(pollAfterInterval(started.deviceCode, 15))).toBe("authorization_pending");
  });

  it("matches the user code whatever the case and the dash", async () => {
    const started = await start();
    const typed = started.userCode.replace("-", "").toLowerCase();
    expect((await previewDeviceAuthorization(deps, typed)).clientName).toBe("alice-laptop");
    expect(
      await codeOf(approveDeviceAuthorization(deps, { actor: alice, userCode: typed, workspaceId })),
    ).toBe("ok");
  });

  it("refuses a code that cannot be one with validation_failed, and a wrong one with not_found", async () => {
    expect(await codeOf(previewDeviceAuthorization(deps, "AEIO-1234"))).toBe("validation_failed");
    expect(await codeOf(previewDeviceAuthorization(deps, "BBBB-BBBB"))).toBe("not_found");
  });

  it("approves only into a workspace the approver is a member of", async () => {
    const bob = (await signUp(deps, { email: "bob@example.com", password: "long enough", name: "Bob" }, "t"))
      .user;
    const started = await start();
    expect(
      await codeOf(approveDeviceAuthorization(deps, { actor: bob, userCode: started.userCode, workspaceId })),
    ).toBe("forbidden");
    expect(await codeOf(pollAfterInterval(started.deviceCode))).toBe("authorization_pending");
  });

  it("counts the key toward the approver's 25: at the limit it answers api_key_limit_reached and the code stays usable", async () => {
    const keys = [];
    for (let i = 0; i < API_KEY_LIMIT; i++)
      keys.push(await createApiKey(deps, { workspaceId, actor: alice, name: `k${i}` }));
    const started = await start();
    expect(
      await codeOf(
        approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId }),
      ),
    ).toBe("api_key_limit_reached");
    expect(await codeOf(pollAfterInterval(started.deviceCode))).toBe("authorization_pending");
    await revokeApiKey(deps, createConnectedWorkers(deps), {
      workspaceId,
      actor: alice,
      keyId: keys[0]?.apiKey.id ?? "",
    });
    await approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId });
    expect((await pollAfterInterval(started.deviceCode)).apiKey.owner).toEqual(alice);
    // And the device's key is the 25th again: one more is refused.
    expect(await codeOf(createApiKey(deps, { workspaceId, actor: alice, name: "one more" }))).toBe(
      "api_key_limit_reached",
    );
  });

  it("lets one approval win when approve and deny race", async () => {
    const started = await start();
    const results = await Promise.all([
      codeOf(approveDeviceAuthorization(deps, { actor: alice, userCode: started.userCode, workspaceId })),
      codeOf(denyDeviceAuthorization(deps, { actor: alice, userCode: started.userCode })),
    ]);
    expect(results.filter((code) => code === "ok")).toHaveLength(1);
    const poll = await codeOf(pollAfterInterval(started.deviceCode));
    expect(poll).toBe(results[0] === "ok" ? "ok" : "access_denied");
  });
});
