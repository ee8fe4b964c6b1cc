/**
 * Invitations and members, API.md v1.1, against the real server: reusable links, the pending list,
 * revocation, the preview without a session, role changes, and the links of a removed or lowered
 * admin (issue 8 #4). Every answer is parsed with the contract's schema.
 */
import {
  createInvitationResponseSchema,
  errorBodySchema,
  invitationPreviewResponseSchema,
  invitationsResponseSchema,
  memberResponseSchema,
  membersResponseSchema,
  meResponseSchema,
  workspaceWithRoleResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, addMember, bodyOf, signUp, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";

const fixture = useServer();

async function invite(owner: { client: ApiClient; workspaceId: string }, role: "admin" | "member") {
  const response = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, { role });
  expect(response.status).toBe(201);
  return bodyOf(response, createInvitationResponseSchema);
}

function patchRole(client: ApiClient, workspaceId: string, userId: string, role: string) {
  return client.request("PATCH", `/api/v1/workspaces/${workspaceId}/members/${userId}`, { role });
}

describe("invitation links (v1.1)", () => {
  it("are previewed without a session, used by several people, listed while pending, and revoked", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Olivia");
    const { invitation, token } = await invite(owner, "member");

    const preview = await new ApiClient(fixture.server.url).get(`/api/v1/invitations/${token}`);
    expect(preview.status).toBe(200);
    expect(invitationPreviewResponseSchema.strict().parse(preview.body)).toEqual({
      workspace: { id: owner.workspaceId, name: "Olivia's workspace" },
      role: "member",
      invitedBy: { name: "Olivia" },
      expiresAt: invitation.expiresAt,
    });

    for (const name of ["Ann", "Ben", "Cid"]) {
      const joiner = await signUp(fixture.server.url, name);
      const accepted = await joiner.client.post(`/api/v1/invitations/${token}/accept`);
      expect(accepted.status).toBe(200);
      expect(bodyOf(accepted, workspaceWithRoleResponseSchema).role).toBe("member");
    }

    const listed = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/invitations`);
    expect(listed.status).toBe(200);
    expect(invitationsResponseSchema.parse(listed.body)).toEqual({
      invitations: [{ ...invitation, createdAt: expect.any(String), createdBy: owner.user }],
    });

    const revoked = await owner.client.delete(
      `/api/v1/workspaces/${owner.workspaceId}/invitations/${invitation.id}`,
    );
    expect(revoked.status).toBe(204);
    expect((await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/invitations`)).body).toEqual({
      invitations: [],
    });
    const late = await signUp(fixture.server.url, "Late");
    expectError(await late.client.post(`/api/v1/invitations/${token}/accept`), 404, "not_found");
    const gone = await new ApiClient(fixture.server.url).get(`/api/v1/invitations/${token}`);
    expectError(gone, 404, "not_found");
    expect(errorBodySchema.safeParse(gone.body).success).toBe(true);
  });

  it("regression (issue 8 #4): a removed admin cannot rejoin with a link they created", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const admin = await addMember(owner, "admin", "Adam");
    const theirs = await invite({ client: admin.client, workspaceId: owner.workspaceId }, "admin");
    expect(
      (await owner.client.delete(`/api/v1/workspaces/${owner.workspaceId}/members/${admin.user.id}`)).status,
    ).toBe(204);
    expectError(await admin.client.post(`/api/v1/invitations/${theirs.token}/accept`), 404, "not_found");
    expectError(await admin.client.get(`/api/v1/workspaces/${owner.workspaceId}`), 403, "forbidden");
  });

  it("regression (issue 8 #4): lowering an admin to member revokes the links they created", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const admin = await addMember(owner, "admin", "Adam");
    const theirs = await invite({ client: admin.client, workspaceId: owner.workspaceId }, "member");
    const lowered = await patchRole(owner.client, owner.workspaceId, admin.user.id, "member");
    expect(lowered.status).toBe(200);
    const friend = await signUp(fixture.server.url, "Friend");
    expectError(await friend.client.post(`/api/v1/invitations/${theirs.token}/accept`), 404, "not_found");
  });
});

describe("role changes (v1.1)", () => {
  it("owners change any role; admins set member or admin on non-owners; members none; the last owner stays", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Olivia");
    const admin = await addMember(owner, "admin", "Ada");
    const member = await addMember(owner, "member", "Mia");
    const other = await addMember(owner, "member", "Max");
    const ws = owner.workspaceId;

    const promoted = await patchRole(owner.client, ws, member.user.id, "admin");
    expect(promoted.status).toBe(200);
    expect(memberResponseSchema.strict().parse(promoted.body).member).toEqual({
      user: member.user,
      role: "admin",
      joinedAt: expect.any(String),
    });
    expect((await patchRole(admin.client, ws, member.user.id, "member")).status).toBe(200);
    expectError(await patchRole(admin.client, ws, member.user.id, "owner"), 403, "forbidden");
    expectError(await patchRole(admin.client, ws, owner.user.id, "admin"), 403, "forbidden");
    expectError(await patchRole(member.client, ws, other.user.id, "admin"), 403, "forbidden");
    expectError(await patchRole(owner.client, ws, owner.user.id, "member"), 409, "conflict");
    expect(
      expectError(await patchRole(owner.client, ws, other.user.id, "boss"), 400, "validation_failed"),
    ).toContain("role");

    // With a second owner the first may step down.
    expect((await patchRole(owner.client, ws, admin.user.id, "owner")).status).toBe(200);
    expect((await patchRole(owner.client, ws, owner.user.id, "member")).status).toBe(200);
    const me = await owner.client.get("/api/v1/me");
    expect(bodyOf(me, meResponseSchema).workspaces).toEqual([
      { id: ws, name: expect.any(String), role: "member" },
    ]);
  });

  it("members are listed a page at a time, with nextCursor only when another page follows", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    for (const name of ["A", "B", "C"]) await addMember(owner, "member", name);
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await owner.client.get(
        `/api/v1/workspaces/${owner.workspaceId}/members?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      const page = membersResponseSchema.parse(response.body);
      ids.push(...page.members.map((member) => member.user.id));
      cursor = page.nextCursor;
      if (cursor === undefined) expect(response.body).not.toHaveProperty("nextCursor");
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(2);
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toBe(owner.user.id);
  });
});
