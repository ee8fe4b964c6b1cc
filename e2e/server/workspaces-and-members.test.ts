/** Workspaces, members and invitations (API.md "Workspaces and members"), happy paths and errors. */
import {
  apiKeysResponseSchema,
  createInvitationResponseSchema,
  membersResponseSchema,
  meResponseSchema,
  workspaceResponseSchema,
  workspaceWithRoleResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import {
  ApiClient,
  addMember,
  bearer,
  bodyOf,
  createKey,
  signUp,
  signUpWithWorkspace,
} from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";

const fixture = useServer();

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("workspaces", () => {
  it("creates a workspace (201) whose creator is its owner", async () => {
    const { client, user } = await signUp(fixture.server.url);
    const created = await client.post("/api/v1/workspaces", { name: "  Platform  " });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      workspace: {
        id: expect.stringMatching(/^wsp_/),
        name: "Platform",
        createdAt: expect.stringMatching(ISO),
      },
    });
    const { workspace } = bodyOf(created, workspaceResponseSchema);
    const id = workspace.id;

    const read = await client.get(`/api/v1/workspaces/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ workspace, role: "owner" });

    const members = await client.get(`/api/v1/workspaces/${id}/members`);
    expect(members.status).toBe(200);
    expect(members.body).toEqual({
      members: [{ user, role: "owner", joinedAt: expect.stringMatching(ISO) }],
    });
  });

  it("answers 400 validation_failed naming the field for a bad name", async () => {
    const { client } = await signUp(fixture.server.url);
    expect(
      expectError(await client.post("/api/v1/workspaces", { name: "" }), 400, "validation_failed"),
    ).toContain("name");
    expect(expectError(await client.post("/api/v1/workspaces", {}), 400, "validation_failed")).toContain(
      "name",
    );
    expect(
      expectError(
        await client.post("/api/v1/workspaces", { name: "x".repeat(101) }),
        400,
        "validation_failed",
      ),
    ).toContain("name");
  });

  it("answers 401 unauthenticated without a session", async () => {
    expectError(
      await new ApiClient(fixture.server.url).post("/api/v1/workspaces", { name: "x" }),
      401,
      "unauthenticated",
    );
  });

  it("answers 403 forbidden for a workspace id that does not exist, like one the caller is not in", async () => {
    const { client } = await signUp(fixture.server.url);
    expectError(await client.get("/api/v1/workspaces/wsp_doesnotexist"), 403, "forbidden");
    expectError(await client.get("/api/v1/workspaces/wsp_doesnotexist/members"), 403, "forbidden");
  });
});

describe("invitations", () => {
  it("an admin+ creates an invitation (201, token shown once) that a signed-in user accepts (200)", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const invited = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      role: "admin",
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual({
      invitation: {
        id: expect.stringMatching(/^inv_/),
        role: "admin",
        expiresAt: expect.stringMatching(ISO),
      },
      token: expect.any(String),
    });
    expect(
      new Date(bodyOf(invited, createInvitationResponseSchema).invitation.expiresAt).getTime(),
    ).toBeGreaterThan(Date.now());

    const joiner = await signUp(fixture.server.url, "Joiner");
    const accepted = await joiner.client.post(
      `/api/v1/invitations/${bodyOf(invited, createInvitationResponseSchema).token}/accept`,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({
      workspace: { id: owner.workspaceId, name: expect.any(String), createdAt: expect.stringMatching(ISO) },
      role: "admin",
    });
    const me = await joiner.client.get("/api/v1/me");
    expect(bodyOf(me, meResponseSchema).workspaces).toEqual([
      { id: owner.workspaceId, name: expect.any(String), role: "admin" },
    ]);

    // Reusable (API.md v1.1): a second person joins with the same link until it expires or is revoked.
    const second = await signUp(fixture.server.url, "Second");
    const secondAccept = await second.client.post(
      `/api/v1/invitations/${bodyOf(invited, createInvitationResponseSchema).token}/accept`,
    );
    expect(secondAccept.status).toBe(200);
    expect(bodyOf(secondAccept, workspaceWithRoleResponseSchema).role).toBe("admin");
    // The joiner accepting again is harmless and keeps the role.
    const again = await joiner.client.post(
      `/api/v1/invitations/${bodyOf(invited, createInvitationResponseSchema).token}/accept`,
    );
    expect(again.status).toBe(200);
    expect(bodyOf(again, workspaceWithRoleResponseSchema).role).toBe("admin");
  });

  it("refuses an unknown token (404), no session (401) and a bad role (400 naming role)", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { client } = await signUp(fixture.server.url);
    expectError(await client.post("/api/v1/invitations/not-a-real-token/accept"), 404, "not_found");

    const invited = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      role: "member",
    });
    expectError(
      await new ApiClient(fixture.server.url).post(
        `/api/v1/invitations/${bodyOf(invited, createInvitationResponseSchema).token}/accept`,
      ),
      401,
      "unauthenticated",
    );

    for (const role of ["owner", "superuser", undefined]) {
      const response = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
        role,
      });
      expect(expectError(response, 400, "validation_failed")).toContain("role");
    }
  });
});

describe("removing members", () => {
  it("an owner removes a member (204): the member loses access and their keys are revoked", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const member = await addMember(owner, "member");
    const memberKey = await createKey(
      { client: member.client, workspaceId: owner.workspaceId },
      "member-laptop",
    );
    const ownerKey = await createKey(owner, "owner-laptop");
    expect(
      (
        await new ApiClient(fixture.server.url).request(
          "GET",
          "/api/v1/worker/whoami",
          undefined,
          bearer(memberKey.key),
        )
      ).status,
    ).toBe(200);

    const removed = await owner.client.delete(
      `/api/v1/workspaces/${owner.workspaceId}/members/${member.user.id}`,
    );
    expect(removed.status).toBe(204);

    const whoami = await new ApiClient(fixture.server.url).request(
      "GET",
      "/api/v1/worker/whoami",
      undefined,
      bearer(memberKey.key),
    );
    expectError(whoami, 401, "api_key_revoked");
    expectError(await member.client.get(`/api/v1/workspaces/${owner.workspaceId}`), 403, "forbidden");

    const all = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/api-keys?state=all`);
    const revoked = bodyOf(all, apiKeysResponseSchema).apiKeys.find((key) => key.id === memberKey.apiKey.id);
    expect(revoked?.revokedAt).toMatch(ISO);
    // Only the removed member's keys: the owner's key still works.
    const ownerWhoami = await new ApiClient(fixture.server.url).request(
      "GET",
      "/api/v1/worker/whoami",
      undefined,
      bearer(ownerKey.key),
    );
    expect(ownerWhoami.status).toBe(200);
    const members = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/members`);
    expect(bodyOf(members, membersResponseSchema).members.map((m) => m.user.id)).toEqual([owner.user.id]);
  });

  it("keeps the removed member's keys in other workspaces working", async () => {
    const first = await signUpWithWorkspace(fixture.server.url, "First");
    const second = await signUpWithWorkspace(fixture.server.url, "Second");
    const invitation = await second.client.post(`/api/v1/workspaces/${second.workspaceId}/invitations`, {
      role: "member",
    });
    const member = await addMember(first, "member");
    expect(
      (
        await member.client.post(
          `/api/v1/invitations/${bodyOf(invitation, createInvitationResponseSchema).token}/accept`,
        )
      ).status,
    ).toBe(200);
    const keyInSecond = await createKey({ client: member.client, workspaceId: second.workspaceId });

    expect(
      (await first.client.delete(`/api/v1/workspaces/${first.workspaceId}/members/${member.user.id}`)).status,
    ).toBe(204);
    const whoami = await new ApiClient(fixture.server.url).request(
      "GET",
      "/api/v1/worker/whoami",
      undefined,
      bearer(keyInSecond.key),
    );
    expect(whoami.status).toBe(200);
  });

  it("answers 404 for a user who is not a member, 409 for the last owner, 403 for a member removing another", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const member = await addMember(owner, "member");
    const other = await addMember(owner, "member", "other");
    const outsider = await signUp(fixture.server.url);
    const base = `/api/v1/workspaces/${owner.workspaceId}/members`;

    expectError(await owner.client.delete(`${base}/${outsider.user.id}`), 404, "not_found");
    expectError(await owner.client.delete(`${base}/usr_doesnotexist`), 404, "not_found");
    expectError(await owner.client.delete(`${base}/${owner.user.id}`), 409, "conflict");
    expectError(await member.client.delete(`${base}/${other.user.id}`), 403, "forbidden");
    // Anyone may leave.
    expect((await member.client.delete(`${base}/${member.user.id}`)).status).toBe(204);
  });

  it("an admin cannot remove an owner (403)", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const admin = await addMember(owner, "admin");
    expectError(
      await admin.client.delete(`/api/v1/workspaces/${owner.workspaceId}/members/${owner.user.id}`),
      403,
      "forbidden",
    );
  });

  it("regression: a removed member cannot rejoin with the invitation link they used", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const invited = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      role: "admin",
    });
    const bob = await signUp(fixture.server.url, "Bob");
    const path = `/api/v1/invitations/${bodyOf(invited, createInvitationResponseSchema).token}/accept`;
    expect((await bob.client.post(path)).status).toBe(200);
    expect(bodyOf(await bob.client.post(path), workspaceWithRoleResponseSchema).role).toBe("admin"); // again while a member: harmless
    expect(
      (await owner.client.delete(`/api/v1/workspaces/${owner.workspaceId}/members/${bob.user.id}`)).status,
    ).toBe(204);
    expectError(await bob.client.post(path), 404, "not_found");
    expectError(await bob.client.get(`/api/v1/workspaces/${owner.workspaceId}`), 403, "forbidden");
    expect(fixture.server.output()).not.toContain(bodyOf(invited, createInvitationResponseSchema).token);
  });
});
