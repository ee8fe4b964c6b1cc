/**
 * After a full flow, no secret (raw key, session token, invitation token, password) is in any byte
 * of the data directory (SQLite file, WAL and SHM included), in the database's text, or in the
 * server's output. Only hashes and display prefixes may be kept.
 */
import path from "node:path";
import { createApiKeyResponseSchema, createInvitationResponseSchema, generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, addMember, bearer, bodyOf, signUpWithWorkspace } from "../support/api.ts";
import { allDatabaseText, listFiles, secretsInFiles } from "../support/secrets-at-rest.ts";
import { useServer } from "../support/server.ts";
import { waitFor } from "../support/wait-for.ts";

const fixture = useServer();

function sessionToken(client: ApiClient): string {
  const cookie = client.sessionCookie ?? "";
  const token = cookie.slice("cogno_session=".length);
  expect(token.length).toBeGreaterThanOrEqual(32);
  return token;
}

/** Runs signup, login, keys, whoami, revoke and an accepted invitation; returns every secret it saw. */
async function runFullFlow(url: string): Promise<Record<string, string>> {
  const owner = await signUpWithWorkspace(url, "Secretive");
  const signupToken = sessionToken(owner.client);
  const relogin = new ApiClient(url);
  expect(
    (await relogin.post("/api/v1/auth/login", { email: owner.user.email, password: owner.password })).status,
  ).toBe(200);
  // A failed login carries a password too: a wrong one must not be logged either.
  const wrongPassword = "wrong-password-Zq7XvB2";
  expect(
    (await relogin.post("/api/v1/auth/login", { email: owner.user.email, password: wrongPassword })).status,
  ).toBe(401);

  const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
  const keptAnswer = await relogin.post(keysPath, { name: "kept" });
  const revokedAnswer = await relogin.post(keysPath, { name: "revoked" });
  expect([keptAnswer.status, revokedAnswer.status]).toEqual([201, 201]);
  const kept = bodyOf(keptAnswer, createApiKeyResponseSchema);
  const revoked = bodyOf(revokedAnswer, createApiKeyResponseSchema);
  for (const key of [kept.key, revoked.key]) {
    expect((await relogin.request("GET", "/api/v1/worker/whoami", undefined, bearer(key))).status).toBe(200);
  }
  expect((await relogin.delete(`${keysPath}/${revoked.apiKey.id}`)).status).toBe(200);
  expect((await relogin.request("GET", "/api/v1/worker/whoami", undefined, bearer(revoked.key))).status).toBe(
    401,
  );
  // A well-formed key the server never issued is refused, and not remembered either.
  const guessed = generateApiKey();
  expect((await relogin.request("GET", "/api/v1/worker/whoami", undefined, bearer(guessed))).status).toBe(
    401,
  );

  const invitation = await relogin.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
    role: "member",
  });
  expect(invitation.status).toBe(201);
  const invitationToken = bodyOf(invitation, createInvitationResponseSchema).token;
  const joiner = new ApiClient(url);
  const joinerPassword = "joiner-password-Kp3Wd9";
  expect(
    (
      await joiner.post("/api/v1/auth/signup", {
        email: `joiner.${Date.now()}@example.com`,
        password: joinerPassword,
        name: "Joiner",
      })
    ).status,
  ).toBe(201);
  expect((await joiner.post(`/api/v1/invitations/${invitationToken}/accept`)).status).toBe(200);
  const joinerKey = await joiner.post(keysPath, { name: "joiner-key" });
  expect(joinerKey.status).toBe(201);
  const joinerRawKey = bodyOf(joinerKey, createApiKeyResponseSchema).key;
  expect((await joiner.request("GET", "/api/v1/worker/whoami", undefined, bearer(joinerRawKey))).status).toBe(
    200,
  );
  // Logging out deletes a session; its token must not linger anywhere either.
  expect((await joiner.post("/api/v1/auth/logout")).status).toBe(204);

  return {
    "kept raw key": kept.key,
    "revoked raw key": revoked.key,
    "joiner's raw key": joinerRawKey,
    "guessed raw key": guessed,
    "signup session token": signupToken,
    "login session token": sessionToken(relogin),
    "invitation token": invitationToken,
    "owner's password": owner.password,
    "wrong password": wrongPassword,
    "joiner's password": joinerPassword,
  };
}

describe("secrets at rest and in logs", () => {
  it("regression: an invitation page URL is logged without its token", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const invited = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      role: "member",
    });
    const { token } = bodyOf(invited, createInvitationResponseSchema);
    const client = new ApiClient(fixture.server.url);
    await client.get(`/invite/${token}`);
    await client.get(`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`);
    await addMember(owner, "member");
    expect(fixture.server.output()).toContain("/invite/[redacted]");
    expect(fixture.server.output()).not.toContain(token);
  });

  it("regression: a percent-encoded invitation path or key in a query was logged in the clear", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Encoder");
    const invitation = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      role: "member",
    });
    const { key } = bodyOf(
      await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, { name: "k" }),
      createApiKeyResponseSchema,
    );
    const { token } = bodyOf(invitation, createInvitationResponseSchema);
    const joiner = new ApiClient(fixture.server.url);
    await joiner.post("/api/v1/auth/signup", {
      email: `encoder.${Date.now()}@example.com`,
      password: "long enough password",
      name: "Joiner",
    });
    const before = fixture.server.output().length;
    // The router decodes "%69" to "i": this one is accepted, and its line is written with the rest.
    expect((await joiner.post(`/api/v1/%69nvitations/${token}/accept`)).status).toBe(200);
    await joiner.post(`/api/v1/%2569nvitations/${token}/accept`);
    await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys?x=${key.replace(/_/g, "%5F")}`);
    await owner.client.get(
      `/api/v1/workspaces/${owner.workspaceId}/api-keys?x=${key.replace(/_/g, "%255F")}`,
    );
    // A response can arrive before its log line has come through the server's output pipe.
    const written = await waitFor(
      async () => fixture.server.output().slice(before),
      (text) =>
        (text.match(/invitations\/\[redacted\]\/accept/g)?.length ?? 0) >= 2 &&
        (text.match(/api-keys\?x=cogno_wk_/g)?.length ?? 0) >= 2,
    );
    expect(written).not.toContain(token);
    expect(written).not.toContain(key.slice(17, 40));
  });

  it("no raw key, session token, invitation token or password is stored or printed", async () => {
    const secrets = await runFullFlow(fixture.server.url);

    // While the server runs, the write-ahead log holds the latest writes. (No -shm file: the server
    // holds the database in exclusive locking mode, which keeps the WAL index in memory.)
    const whileRunning = await listFiles(fixture.store.dataDir);
    if (fixture.store.engine === "sqlite") {
      expect(whileRunning.map((file) => path.basename(file))).toEqual(
        expect.arrayContaining(["cogno.sqlite", "cogno.sqlite-wal"]),
      );
    }
    expect(await secretsInFiles(fixture.store.dataDir, secrets)).toEqual([]);

    if (fixture.store.engine === "postgres") {
      const connectionString = fixture.store.env.COGNO_DATABASE_URL ?? "";
      const text = await allDatabaseText(connectionString);
      expect(text.length).toBeGreaterThan(20);
      const found = Object.entries(secrets)
        .filter(([, secret]) => text.some((value) => value.includes(secret)))
        .map(([name]) => name);
      expect(found).toEqual([]);
    }

    // After a clean stop the WAL is checkpointed into the main file: check again.
    await fixture.server.stop();
    expect(await secretsInFiles(fixture.store.dataDir, secrets)).toEqual([]);

    const output = fixture.server.output();
    expect(output).toContain('"status":201');
    const printed = Object.entries(secrets)
      .filter(([, secret]) => output.includes(secret))
      .map(([name]) => name);
    expect(printed).toEqual([]);
    // Not even the part of a key after its display prefix.
    for (const [name, secret] of Object.entries(secrets)) {
      if (name.endsWith("raw key")) expect(output).not.toContain(secret.slice(17, 40));
    }
  });
});
