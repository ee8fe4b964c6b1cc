import type { User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../apikeys/service.ts";
import { type UserActor, userActor } from "../audit/service.ts";
import { listAuditEntries } from "../audit/store.ts";
import { signUp } from "../auth/service.ts";
import { codeOf } from "../testing/error-code.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { acceptInvitation, createInvitation } from "./invitation-service.ts";
import { changeMemberRole, getMembers, removeMember } from "./member-service.ts";
import { createWorkspace } from "./service.ts";
import { countOwners, findRole } from "./store.ts";

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

async function join(role: "admin" | "member", name: string) {
  const { token } = await createInvitation(deps, workspaceId, owner, { role });
  const joiner = await person(name);
  await acceptInvitation(deps, token, joiner);
  return joiner;
}

beforeEach(async () => {
  deps = await createTestDeps();
  owner = { ...(await person("Olivia")), ip: "192.0.2.1", userAgent: "browser/1" };
  workspaceId = (await createWorkspace(deps, owner.id, "Acme")).id;
});

afterEach(async () => {
  await deps.cleanup();
});

describe("changeMemberRole", () => {
  it("answers the member with the new role, audits from → to, and announces it by ids", async () => {
    const mia = await join("member", "Mia");
    deps.events.length = 0;
    const member = await changeMemberRole(deps, {
      workspaceId,
      actor: owner,
      targetId: mia.id,
      role: "admin",
    });
    expect(member).toEqual({ user: mia.user, role: "admin", joinedAt: expect.any(String) });
    expect(await findRole(deps.db, workspaceId, mia.id)).toBe("admin");
    expect(deps.events).toEqual([{ type: "member.role_changed", workspaceId, userId: mia.id }]);
    const { entries } = await listAuditEntries(deps.db, {
      workspaceId,
      action: "member.role_changed",
      actor: undefined,
      before: undefined,
      limit: 10,
    });
    expect(entries).toEqual([
      expect.objectContaining({
        actor: { type: "user", id: owner.id, name: "Olivia" },
        target: { type: "user", id: mia.id, name: "Mia" },
        ip: "192.0.2.1",
        userAgent: "browser/1",
        details: { from: "member", to: "admin" },
      }),
    ]);
  });

  it("changes nothing, audits nothing and announces nothing when the role is the same", async () => {
    const mia = await join("member", "Mia");
    deps.events.length = 0;
    expect(
      (await changeMemberRole(deps, { workspaceId, actor: owner, targetId: mia.id, role: "member" })).role,
    ).toBe("member");
    expect(deps.events).toEqual([]);
  });

  it("keeps the last owner (409), and lets an owner step down once another owner exists", async () => {
    expect(
      await codeOf(changeMemberRole(deps, { workspaceId, actor: owner, targetId: owner.id, role: "admin" })),
    ).toBe("conflict");
    const ada = await join("admin", "Ada");
    await changeMemberRole(deps, { workspaceId, actor: owner, targetId: ada.id, role: "owner" });
    await changeMemberRole(deps, { workspaceId, actor: owner, targetId: owner.id, role: "member" });
    expect(await countOwners(deps.db, workspaceId)).toBe(1);
    expect(await findRole(deps.db, workspaceId, ada.id)).toBe("owner");
  });

  it("regression: two owners lowering each other at once leave one owner, never none", async () => {
    const ada = await join("admin", "Ada");
    await changeMemberRole(deps, { workspaceId, actor: owner, targetId: ada.id, role: "owner" });
    const results = await Promise.all([
      codeOf(changeMemberRole(deps, { workspaceId, actor: owner, targetId: ada.id, role: "member" })),
      codeOf(changeMemberRole(deps, { workspaceId, actor: ada, targetId: owner.id, role: "member" })),
    ]);
    // Whichever commits first wins; the other is judged on the roles that follow (no longer an owner).
    expect(results.filter((code) => code === "ok")).toHaveLength(1);
    expect(await countOwners(deps.db, workspaceId)).toBe(1);
  });

  it("lets admins set member or admin on non-owners, and nothing else; members change nothing", async () => {
    const ada = await join("admin", "Ada");
    const mia = await join("member", "Mia");
    const max = await join("member", "Max");
    const outsider = await person("Otto");
    const change = (actor: UserActor, targetId: string, role: "owner" | "admin" | "member") =>
      codeOf(changeMemberRole(deps, { workspaceId, actor, targetId, role }));
    expect(await change(ada, mia.id, "admin")).toBe("ok");
    expect(await change(ada, mia.id, "member")).toBe("ok");
    expect(await change(ada, mia.id, "owner")).toBe("forbidden");
    expect(await change(ada, owner.id, "admin")).toBe("forbidden");
    expect(await change(mia, max.id, "admin")).toBe("forbidden");
    expect(await change(mia, mia.id, "admin")).toBe("forbidden");
    expect(await change(outsider, mia.id, "admin")).toBe("forbidden");
    expect(await change(owner, outsider.id, "admin")).toBe("not_found");
    expect(await change(owner, "usr_nobody", "admin")).toBe("not_found");
  });
});

describe("links of a lowered admin", () => {
  it("regression: an admin creating a link while being lowered never keeps a pending link (any order)", async () => {
    for (let round = 0; round < 10; round++) {
      const ada = await join("admin", `Ada${round}`);
      await Promise.all([
        codeOf(createInvitation(deps, workspaceId, ada, { role: "member" })),
        changeMemberRole(deps, { workspaceId, actor: owner, targetId: ada.id, role: "member" }),
      ]);
      const pending = await deps.db
        .selectFrom("invitations")
        .select("id")
        .where("created_by", "=", ada.id)
        .where("revoked_at", "is", null)
        .execute();
      expect(pending).toEqual([]);
    }
  });
});

describe("removeMember", () => {
  it("revokes the member's keys and links, and audits the removal and each revoked key and link", async () => {
    const ada = await join("admin", "Ada");
    const key = await createApiKey(deps, { workspaceId, actor: ada.user, name: "ada-laptop" });
    const { invitation } = await createInvitation(deps, workspaceId, ada, { role: "member" });
    await removeMember(deps, { workspaceId, actor: owner, targetId: ada.id });
    const { entries } = await listAuditEntries(deps.db, {
      workspaceId,
      action: undefined,
      actor: owner.id,
      before: undefined,
      limit: 50,
    });
    const removal = entries.filter((entry) =>
      ["member.removed", "invitation.revoked", "api_key.revoked"].includes(entry.action),
    );
    expect(removal.map((entry) => [entry.action, entry.target.id, entry.details.reason]).sort()).toEqual(
      [
        ["member.removed", ada.id, undefined],
        ["invitation.revoked", invitation.id, "member_removed"],
        ["api_key.revoked", key.apiKey.id, "member_removed"],
      ].sort(),
    );
    expect(deps.events.map((event) => event.type)).toContain("member.removed");
  });

  it("lists members oldest first, a page at a time", async () => {
    const joined = [owner.id];
    for (const name of ["A", "B", "C", "D"]) {
      deps.clock.advance(1_000);
      joined.push((await join("member", name)).id);
    }
    const first = await getMembers(deps, { workspaceId, actor: owner, limit: 3, cursor: undefined });
    expect(first.members.map((member) => member.user.id)).toEqual(joined.slice(0, 3));
    const second = await getMembers(deps, { workspaceId, actor: owner, limit: 3, cursor: first.nextCursor });
    expect(second.members.map((member) => member.user.id)).toEqual(joined.slice(3));
    expect(second.nextCursor).toBeUndefined();
    expect("nextCursor" in second).toBe(false);
  });
});
