/** The workspace routes of API.md v1.1 over HTTP, in-process: statuses, exact shapes, error codes. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listAuditEntries } from "../audit/store.ts";
import { signedUpPerson, startTestApp, type TestApp, type TestPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
let deps: TestDeps;
let http: TestApp;
let owner: TestPerson;
let base: string;

beforeEach(async () => {
  deps = await createTestDeps();
  http = await startTestApp(deps);
  owner = await signedUpPerson(deps, "Olivia");
  const created = await http.call("POST", "/api/v1/workspaces", { as: owner, body: { name: "Acme" } });
  base = `/api/v1/workspaces/${created.json().workspace.id}`;
});

afterEach(async () => {
  await http.close();
  await deps.cleanup();
});

async function invite(role: "admin" | "member", as = owner) {
  const response = await http.call("POST", `${base}/invitations`, { as, body: { role } });
  expect(response.statusCode).toBe(201);
  return response.json() as { invitation: { id: string; role: string; expiresAt: string }; token: string };
}

async function join(role: "admin" | "member", name: string) {
  const { token } = await invite(role);
  const person = await signedUpPerson(deps, name);
  expect((await http.call("POST", `/api/v1/invitations/${token}/accept`, { as: person })).statusCode).toBe(
    200,
  );
  return person;
}

describe("GET …/invitations", () => {
  it("answers the pending invitations with createdAt and createdBy, and no nextCursor on the last page", async () => {
    const { invitation } = await invite("admin");
    const response = await http.call("GET", `${base}/invitations`, { as: owner });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      invitations: [{ ...invitation, createdAt: expect.stringMatching(ISO), createdBy: owner.user }],
    });
  });

  it("pages with limit and cursor", async () => {
    for (let i = 0; i < 3; i++) await invite("member");
    const first = (await http.call("GET", `${base}/invitations?limit=2`, { as: owner })).json();
    expect(first.invitations).toHaveLength(2);
    expect(typeof first.nextCursor).toBe("string");
    const second = (
      await http.call("GET", `${base}/invitations?limit=2&cursor=${first.nextCursor}`, { as: owner })
    ).json();
    expect(second.invitations).toHaveLength(1);
    expect(second).not.toHaveProperty("nextCursor");
    const bad = await http.call("GET", `${base}/invitations?limit=0`, { as: owner });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("limit");
  });
});

describe("DELETE …/invitations/:invitationId", () => {
  it("answers 204 and the link stops working; an unknown id is 404", async () => {
    const { invitation, token } = await invite("member");
    const revoked = await http.call("DELETE", `${base}/invitations/${invitation.id}`, { as: owner });
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe("");
    expect((await http.call("GET", `/api/v1/invitations/${token}`)).statusCode).toBe(404);
    const unknown = await http.call("DELETE", `${base}/invitations/inv_unknown`, { as: owner });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("not_found");
  });
});

describe("GET /api/v1/invitations/:token", () => {
  it("answers without a session what the link joins, and 404 with the error body when it is not valid", async () => {
    const { invitation, token } = await invite("admin");
    const preview = await http.call("GET", `/api/v1/invitations/${token}`);
    expect(preview.statusCode).toBe(200);
    expect(preview.headers["cache-control"]).toBe("no-store");
    expect(preview.json()).toEqual({
      workspace: { id: base.split("/").at(-1), name: "Acme" },
      role: "admin",
      invitedBy: { name: "Olivia" },
      expiresAt: invitation.expiresAt,
    });
    const unknown = await http.call("GET", "/api/v1/invitations/nope");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: { code: "not_found", message: expect.stringContaining("link"), requestId: expect.any(String) },
    });
  });
});

describe("POST /api/v1/invitations/:token/accept", () => {
  it("lets a second person join with the same link (reusable), and a member accepting again keeps their role", async () => {
    const { token } = await invite("member");
    for (const name of ["Ann", "Ben"]) {
      const person = await signedUpPerson(deps, name);
      const accepted = await http.call("POST", `/api/v1/invitations/${token}/accept`, { as: person });
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json().role).toBe("member");
    }
    const again = await http.call("POST", `/api/v1/invitations/${token}/accept`, { as: owner });
    expect(again.json().role).toBe("owner");
  });
});

describe("PATCH …/members/:userId", () => {
  it("answers 200 { member } with the new role, and audits the request's address and user agent", async () => {
    const mia = await join("member", "Mia");
    const response = await http.call("PATCH", `${base}/members/${mia.user.id}`, {
      as: owner,
      body: { role: "admin" },
      headers: { "user-agent": "cogno-web\u001b[2J/1.1" },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      member: { user: mia.user, role: "admin", joinedAt: expect.stringMatching(ISO) },
    });
    const { entries } = await listAuditEntries(deps.db, {
      workspaceId: base.split("/").at(-1) ?? "",
      action: "member.role_changed",
      actor: undefined,
      before: undefined,
      limit: 5,
    });
    expect(entries[0]).toMatchObject({ ip: "127.0.0.1", userAgent: "cogno-web[2J/1.1" });
  });

  it("answers 409 conflict for the last owner, 400 naming role for a bad role, 404 for a non-member", async () => {
    const last = await http.call("PATCH", `${base}/members/${owner.user.id}`, {
      as: owner,
      body: { role: "admin" },
    });
    expect(last.statusCode).toBe(409);
    expect(last.json().error.code).toBe("conflict");
    const bad = await http.call("PATCH", `${base}/members/${owner.user.id}`, {
      as: owner,
      body: { role: "boss" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("role");
    const stranger = await signedUpPerson(deps, "Sam");
    const missing = await http.call("PATCH", `${base}/members/${stranger.user.id}`, {
      as: owner,
      body: { role: "member" },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe("GET …/members", () => {
  it("pages with limit and cursor, nextCursor only when another page follows", async () => {
    deps.clock.advance(1_000);
    await join("member", "Mia");
    const first = (await http.call("GET", `${base}/members?limit=1`, { as: owner })).json();
    expect(first.members.map((member: { user: { id: string } }) => member.user.id)).toEqual([owner.user.id]);
    const second = (
      await http.call("GET", `${base}/members?limit=1&cursor=${first.nextCursor}`, { as: owner })
    ).json();
    expect(second.members).toHaveLength(1);
    expect(second).not.toHaveProperty("nextCursor");
    expect(Object.keys((await http.call("GET", `${base}/members`, { as: owner })).json())).toEqual([
      "members",
    ]);
  });
});
