/**
 * Browser login for the CLI (RFC 8628; API.md v1.1) over real HTTP against the real server: a
 * client without a session starts a login and polls, a signed-in person approves or denies it,
 * and the key reaches the poll once. Neither the key nor the device code is ever at rest in the
 * clear. (Expiry with a moved clock: packages/server/src/device/service.test.ts.)
 */
import {
  API_KEY_LIMIT,
  deviceApproveResponseSchema,
  deviceAuthorizationResponseSchema,
  deviceTokenResponseSchema,
  errorBodySchema,
  whoamiResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, bearer, bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { allDatabaseText, secretsInFiles } from "../support/secrets-at-rest.ts";
import { useServer } from "../support/server.ts";

const fixture = useServer();

/** The CLI's side: no session, no cookie. */
function cli(): ApiClient {
  return new ApiClient(fixture.server.url);
}

async function startLogin(clientName = "build-box-07") {
  const response = await cli().post("/api/v1/device/authorize", { clientName });
  expect(response.status).toBe(200);
  return deviceAuthorizationResponseSchema.strict().parse(response.body);
}

function poll(deviceCode: string) {
  return cli().post("/api/v1/device/token", { deviceCode });
}

/** Polls as the CLI does, at the interval, until the answer is not authorization_pending. */
async function pollUntilDecided(deviceCode: string, intervalSeconds: number) {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, intervalSeconds * 1000));
    const response = await poll(deviceCode);
    if (response.status !== 400 || bodyOf(response, errorBodySchema).error.code !== "authorization_pending")
      return response;
  }
  throw new Error("the login was never decided");
}

describe("browser login for the CLI", () => {
  it("approved in the browser, gives the polling CLI a working key named after the machine, once", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Olivia");
    const login = await startLogin("build-box-07");
    expect(login.verificationUri).toBe(`${fixture.server.url}/device`);
    expect(login.verificationUriComplete).toBe(`${fixture.server.url}/device?code=${login.userCode}`);
    expect(login).toMatchObject({ expiresIn: 600, interval: 5 });

    const pending = await poll(login.deviceCode);
    expectError(pending, 400, "authorization_pending");

    const preview = await owner.client.get(`/api/v1/device/${login.userCode}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ clientName: "build-box-07", expiresAt: expect.any(String) });

    const approved = await owner.client.post("/api/v1/device/approve", {
      userCode: login.userCode.replace("-", "").toLowerCase(),
      workspaceId: owner.workspaceId,
    });
    expect(approved.status).toBe(200);
    const { apiKey: approvedKey } = bodyOf(approved, deviceApproveResponseSchema);
    expect(approvedKey).toMatchObject({ name: "build-box-07", owner: owner.user, revokedAt: null });

    const token = await pollUntilDecided(login.deviceCode, login.interval);
    expect(token.status).toBe(200);
    expect(token.headers.get("cache-control")).toBe("no-store");
    const { key, apiKey, workspace } = deviceTokenResponseSchema.strict().parse(token.body);
    expect(apiKey.id).toBe(approvedKey.id);
    expect(workspace).toEqual({ id: owner.workspaceId, name: "Olivia's workspace" });
    const whoami = await cli().request("GET", "/api/v1/worker/whoami", undefined, bearer(key));
    expect(whoami.status).toBe(200);
    expect(bodyOf(whoami, whoamiResponseSchema).apiKey.name).toBe("build-box-07");

    expectError(await poll(login.deviceCode), 400, "expired_token");

    // Neither the key nor the device code is anywhere at rest, or in the server's output.
    const secrets = { "device key": key, "device code": login.deviceCode };
    expect(await secretsInFiles(fixture.store.dataDir, secrets)).toEqual([]);
    if (fixture.store.engine === "postgres") {
      const text = await allDatabaseText(fixture.store.env.COGNO_DATABASE_URL ?? "");
      expect(text.filter((value) => value.includes(key) || value.includes(login.deviceCode))).toEqual([]);
    }
    expect(fixture.server.output()).not.toContain(key.slice(17, 40));
    expect(fixture.server.output()).not.toContain(login.deviceCode);
  });

  it("denied in the browser, answers the poll with access_denied", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const login = await startLogin();
    const denied = await owner.client.post("/api/v1/device/deny", { userCode: login.userCode });
    expect(denied.status).toBe(204);
    expectError(await poll(login.deviceCode), 400, "access_denied");
    expectError(await owner.client.get(`/api/v1/device/${login.userCode}`), 404, "not_found");
  });

  it("answers slow_down to a client that polls faster than the interval", async () => {
    const login = await startLogin();
    expectError(await poll(login.deviceCode), 400, "authorization_pending");
    const tooSoon = await poll(login.deviceCode);
    expectError(tooSoon, 400, "slow_down");
    expect(errorBodySchema.parse(tooSoon.body).error.message.length).toBeGreaterThan(0);
  });

  it("answers expired_token for a device code it never issued", async () => {
    expectError(await poll("never-issued-device-code"), 400, "expired_token");
  });

  it("counts the key toward the approver's 25: at the limit, 409 api_key_limit_reached", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    for (let i = 0; i < API_KEY_LIMIT; i++) await createKey(owner, `key-${i}`);
    const login = await startLogin();
    const refused = await owner.client.post("/api/v1/device/approve", {
      userCode: login.userCode,
      workspaceId: owner.workspaceId,
    });
    expectError(refused, 409, "api_key_limit_reached");
    expectError(await poll(login.deviceCode), 400, "authorization_pending");
  });

  it("refuses approval into a workspace the person is not in, and needs a session", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const stranger = await signUpWithWorkspace(fixture.server.url, "Stranger");
    const login = await startLogin();
    expectError(
      await stranger.client.post("/api/v1/device/approve", {
        userCode: login.userCode,
        workspaceId: owner.workspaceId,
      }),
      403,
      "forbidden",
    );
    expectError(
      await cli().post("/api/v1/device/approve", {
        userCode: login.userCode,
        workspaceId: owner.workspaceId,
      }),
      401,
      "unauthenticated",
    );
    expectError(await cli().get(`/api/v1/device/${login.userCode}`), 401, "unauthenticated");
  });
});
