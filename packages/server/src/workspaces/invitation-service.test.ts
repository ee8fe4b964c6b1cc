import type { User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type UserActor, userActor } from "../audit/service.ts";
import { listAuditEntries } from "../audit/store.ts";
import { signUp } from "../auth/service.ts";
import { codeOf } from "../testing/error-code.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from "./invitation-service.ts";
import { changeMemberRole, removeMember } from "./member-service.ts";
import { createWorkspace } from "./service.ts";
import { findRole } from "./store.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const page = { limit: 100, cursor: undefined };
let deps: TestDeps;
let owner: UserActor & { user: User };
let workspaceId: string;
let people = 0;

async function person(name: string): Promise<UserActor & { user: User }> {
  people += 1;
  const { user } = await signUp(
    deps,
    { email: `${name.toLowerCase()}${people}@example.com`, password: "long enough", name },
    `client-${people}`,
  );
  return { ...userActor(user), user };
}

beforeEach(async () => {
  deps = await createTestDeps();
  owner = { ...(await person("Olivia")), ip: "192.0.2.1", userAgent: "browser/1" };
  workspaceId = (await createWorkspace(deps, owner.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

async function auditActions() {
  const { entries } = await listAuditEntries(deps.db, {
    workspaceId,
    action: undefined,
    actor: undefined,
    before: undefined,
    limit: 200,
  });
  return entries.reverse();
}

describe("invitation links", () => {
  it("let several people join until the link expires (API.md v1.1: reusable)", async () => {
    const { token } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    for (const name of ["Ann", "Ben", "Cid"]) {
      const joiner = await person(name);
      expect((await acceptInvitation(deps, token, joiner)).role).toBe("member");
      expect(await findRole(deps.db, workspaceId, joiner.id)).toBe("member");
    }
    deps.clock.advance(7 * DAY_MS);
    expect(await codeOf(acceptInvitation(deps, token, await person("Late")))).toBe("not_found");
  });

  it("answer a current member with their current role, and never change it", async () => {
    const { token } = await createInvitation(deps, workspaceId, owner, { role: "admin" });
    const ann = await person("Ann");
    await acceptInvitation(deps, token, ann);
    await changeMemberRole(deps, { workspaceId, actor: owner, targetId: ann.id, role: "member" });
    // The link was created by the owner, who can still invite: it stays valid, and Ann stays member.
    expect((await acceptInvitation(deps, token, ann)).role).toBe("member");
    expect((await acceptInvitation(deps, token, owner)).role).toBe("owner");
  });

  it("stop working once revoked, for newcomers; a preview of a revoked link is 404 too", async () => {
    const { token, invitation } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    expect(await previewInvitation(deps, token)).toEqual({
      workspace: { id: workspaceId, name: "Acme" },
      role: "member",
      invitedBy: { name: "Olivia" },
      expiresAt: invitation.expiresAt,
    });
    await revokeInvitation(deps, { workspaceId, actor: owner, invitationId: invitation.id });
    expect(await codeOf(acceptInvitation(deps, token, await person("Ann")))).toBe("not_found");
    expect(await codeOf(previewInvitation(deps, token))).toBe("not_found");
  });

  it("preview answers 404 for an unknown or expired link", async () => {
    const { token } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    expect(await codeOf(previewInvitation(deps, "not-a-token"))).toBe("not_found");
    deps.clock.advance(7 * DAY_MS - 1);
    expect(await codeOf(previewInvitation(deps, token))).toBe("ok");
    deps.clock.advance(1);
    expect(await codeOf(previewInvitation(deps, token))).toBe("not_found");
  });

  it("regression (issue 8 #4): a removed admin cannot rejoin with a link they created before removal", async () => {
    const { token: adminLink } = await createInvitation(deps, workspaceId, owner, { role: "admin" });
    const admin = await person("Adam");
    await acceptInvitation(deps, adminLink, admin);
    const { token: ownLink } = await createInvitation(deps, workspaceId, admin, { role: "admin" });
    await removeMember(deps, { workspaceId, actor: owner, targetId: admin.id });
    expect(await codeOf(acceptInvitation(deps, ownLink, admin))).toBe("not_found");
    expect(await findRole(deps.db, workspaceId, admin.id)).toBeUndefined();
    // The owner's link was not theirs: it is still pending (the owner revokes it if they wish).
    expect((await listInvitations(deps, { workspaceId, actor: owner, ...page })).invitations).toHaveLength(1);
  });

  it("regression: a removed member cannot rejoin with the link they joined by, or any link older than the removal", async () => {
    const { token } = await createInvitation(deps, workspaceId, owner, { role: "admin" });
    const bob = await person("Bob");
    await acceptInvitation(deps, token, bob);
    const { token: older } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    deps.clock.advance(1_000);
    await removeMember(deps, { workspaceId, actor: owner, targetId: bob.id });
    expect(await codeOf(acceptInvitation(deps, token, bob))).toBe("not_found");
    expect(await codeOf(acceptInvitation(deps, older, bob))).toBe("not_found");
    // The link still lets others in, and a link made after the removal is a new invitation.
    expect(await codeOf(acceptInvitation(deps, token, await person("Cid")))).toBe("ok");
    deps.clock.advance(1_000);
    const { token: fresh } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    expect((await acceptInvitation(deps, fresh, bob)).role).toBe("member");
  });

  it("lets someone who left on their own come back by the link", async () => {
    const { token } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    const ann = await person("Ann");
    await acceptInvitation(deps, token, ann);
    await removeMember(deps, { workspaceId, actor: ann, targetId: ann.id });
    expect(await codeOf(acceptInvitation(deps, token, ann))).toBe("ok");
  });

  it("regression (issue 8 #4): lowering an admin to member revokes the links they created, and only theirs", async () => {
    const { token: adminLink } = await createInvitation(deps, workspaceId, owner, { role: "admin" });
    const admin = await person("Adam");
    await acceptInvitation(deps, adminLink, admin);
    const { token: theirs } = await createInvitation(deps, workspaceId, admin, { role: "member" });
    await changeMemberRole(deps, { workspaceId, actor: owner, targetId: admin.id, role: "member" });
    expect(await codeOf(acceptInvitation(deps, theirs, await person("Friend")))).toBe("not_found");
    expect(await codeOf(acceptInvitation(deps, adminLink, await person("Other")))).toBe("ok");
  });

  it("are listed while pending, newest first, with who created them and when", async () => {
    const first = await createInvitation(deps, workspaceId, owner, { role: "member" });
    deps.clock.advance(1_000);
    const second = await createInvitation(deps, workspaceId, owner, { role: "admin" });
    deps.clock.advance(1_000);
    const revoked = await createInvitation(deps, workspaceId, owner, { role: "member" });
    await revokeInvitation(deps, { workspaceId, actor: owner, invitationId: revoked.invitation.id });
    const { invitations, nextCursor } = await listInvitations(deps, { workspaceId, actor: owner, ...page });
    expect(nextCursor).toBeUndefined();
    expect(invitations).toEqual([
      {
        ...second.invitation,
        createdAt: "2026-06-01T12:00:01.000Z",
        createdBy: { id: owner.id, email: owner.user.email, name: "Olivia" },
      },
      {
        ...first.invitation,
        createdAt: "2026-06-01T12:00:00.000Z",
        createdBy: { id: owner.id, email: owner.user.email, name: "Olivia" },
      },
    ]);
    // The first expires first: the list drops it on time.
    deps.clock.advance(7 * DAY_MS - 2_000);
    const later = await listInvitations(deps, { workspaceId, actor: owner, ...page });
    expect(later.invitations.map((invitation) => invitation.id)).toEqual([second.invitation.id]);
  });

  it("are listed a page at a time, with nextCursor only when another page follows", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.unshift((await createInvitation(deps, workspaceId, owner, { role: "member" })).invitation.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const result = await listInvitations(deps, { workspaceId, actor: owner, limit: 2, cursor });
      seen.push(...result.invitations.map((invitation) => invitation.id));
      cursor = result.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(await codeOf(listInvitations(deps, { workspaceId, actor: owner, limit: 2, cursor: "junk" }))).toBe(
      "validation_failed",
    );
  });

  it("are listed and revoked by owners and admins only", async () => {
    const { token: memberLink, invitation } = await createInvitation(deps, workspaceId, owner, {
      role: "member",
    });
    const member = await person("Mia");
    await acceptInvitation(deps, memberLink, member);
    const outsider = await person("Otto");
    expect(await codeOf(listInvitations(deps, { workspaceId, actor: member, ...page }))).toBe("forbidden");
    expect(await codeOf(listInvitations(deps, { workspaceId, actor: outsider, ...page }))).toBe("forbidden");
    expect(
      await codeOf(revokeInvitation(deps, { workspaceId, actor: member, invitationId: invitation.id })),
    ).toBe("forbidden");
  });

  it("revoke answers 404 for an invitation of another workspace, and is idempotent", async () => {
    const other = await createWorkspace(deps, owner.id, "Other");
    const { invitation } = await createInvitation(deps, other.id, owner, { role: "member" });
    expect(
      await codeOf(revokeInvitation(deps, { workspaceId, actor: owner, invitationId: invitation.id })),
    ).toBe("not_found");
    await revokeInvitation(deps, { workspaceId: other.id, actor: owner, invitationId: invitation.id });
    const first = await deps.db.selectFrom("invitations").selectAll().executeTakeFirstOrThrow();
    deps.clock.advance(5_000);
    await revokeInvitation(deps, { workspaceId: other.id, actor: owner, invitationId: invitation.id });
    const again = await deps.db.selectFrom("invitations").selectAll().executeTakeFirstOrThrow();
    expect(again.revoked_at).toBe(first.revoked_at);
    expect(again.revoked_by).toBe(owner.id);
  });

  it("are audited: created, revoked, and each join, with the actor's address and user agent", async () => {
    const { token, invitation } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    const ann = { ...(await person("Ann")), ip: "198.51.100.7", userAgent: "phone/2" };
    deps.clock.advance(1_000);
    await acceptInvitation(deps, token, ann);
    await acceptInvitation(deps, token, ann); // already a member: no second "joined"
    deps.clock.advance(1_000);
    await revokeInvitation(deps, { workspaceId, actor: owner, invitationId: invitation.id });
    await revokeInvitation(deps, { workspaceId, actor: owner, invitationId: invitation.id });
    const entries = await auditActions();
    expect(entries.map((entry) => entry.action)).toEqual([
      "invitation.created",
      "member.joined",
      "invitation.revoked",
    ]);
    expect(entries[0]).toMatchObject({
      actor: { type: "user", id: owner.id, name: "Olivia" },
      target: { type: "invitation", id: invitation.id },
      ip: "192.0.2.1",
      userAgent: "browser/1",
      details: { role: "member" },
    });
    expect(entries[1]).toMatchObject({
      actor: { type: "user", id: ann.id, name: "Ann" },
      target: { type: "user", id: ann.id, name: "Ann" },
      ip: "198.51.100.7",
      userAgent: "phone/2",
      details: { role: "member", invitationId: invitation.id },
    });
  });

  it("never store the link's secret", async () => {
    const { token } = await createInvitation(deps, workspaceId, owner, { role: "member" });
    const rows = await deps.db.selectFrom("invitations").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});
