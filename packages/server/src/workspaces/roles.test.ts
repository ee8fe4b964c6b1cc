import type { Role } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { canManageAllKeys, decideMemberRemoval, decideRoleChange, hasRoleAtLeast } from "./roles.ts";

describe("roles", () => {
  it("ranks owner over admin over member", () => {
    expect(hasRoleAtLeast("owner", "admin")).toBe(true);
    expect(hasRoleAtLeast("admin", "admin")).toBe(true);
    expect(hasRoleAtLeast("member", "admin")).toBe(false);
    expect(canManageAllKeys("member")).toBe(false);
    expect(canManageAllKeys("admin")).toBe(true);
  });

  const base = { actorId: "a", targetId: "b", ownerCount: 1 } as const;

  it("lets admins remove members and admins, not owners", () => {
    expect(decideMemberRemoval({ ...base, actorRole: "admin", targetRole: "member" })).toEqual({
      allowed: true,
    });
    expect(decideMemberRemoval({ ...base, actorRole: "admin", targetRole: "admin" })).toEqual({
      allowed: true,
    });
    expect(decideMemberRemoval({ ...base, actorRole: "admin", targetRole: "owner", ownerCount: 2 })).toEqual({
      allowed: false,
      reason: "forbidden",
    });
  });

  it("refuses members removing others but lets anyone leave", () => {
    expect(decideMemberRemoval({ ...base, actorRole: "member", targetRole: "member" })).toMatchObject({
      allowed: false,
    });
    expect(
      decideMemberRemoval({ ...base, actorRole: "member", targetRole: "member", targetId: "a" }),
    ).toEqual({
      allowed: true,
    });
  });

  it("keeps the last owner", () => {
    expect(
      decideMemberRemoval({
        actorId: "a",
        targetId: "a",
        actorRole: "owner",
        targetRole: "owner",
        ownerCount: 1,
      }),
    ).toEqual({ allowed: false, reason: "last_owner" });
    expect(
      decideMemberRemoval({
        actorId: "a",
        targetId: "b",
        actorRole: "owner",
        targetRole: "owner",
        ownerCount: 2,
      }),
    ).toEqual({ allowed: true });
  });
});

describe("decideRoleChange", () => {
  const change = (actorRole: Role, targetRole: Role, newRole: Role, ownerCount = 1) =>
    decideRoleChange({ actorRole, targetRole, newRole, ownerCount });

  it("lets owners change any role, and make other owners", () => {
    expect(change("owner", "member", "owner")).toEqual({
      allowed: true,
      changed: true,
      revokesInvitations: false,
    });
    expect(change("owner", "admin", "member")).toEqual({
      allowed: true,
      changed: true,
      revokesInvitations: true,
    });
    expect(change("owner", "owner", "admin", 2)).toEqual({
      allowed: true,
      changed: true,
      revokesInvitations: false,
    });
    expect(change("owner", "owner", "member", 2)).toEqual({
      allowed: true,
      changed: true,
      revokesInvitations: true,
    });
  });

  it("never lowers the last owner (409), not even the owner themselves", () => {
    expect(change("owner", "owner", "admin", 1)).toEqual({ allowed: false, reason: "last_owner" });
    expect(change("owner", "owner", "member", 1)).toEqual({ allowed: false, reason: "last_owner" });
  });

  it("lets admins set member or admin on non-owners only", () => {
    expect(change("admin", "member", "admin")).toMatchObject({ allowed: true, changed: true });
    expect(change("admin", "admin", "member")).toEqual({
      allowed: true,
      changed: true,
      revokesInvitations: true,
    });
    expect(change("admin", "member", "owner")).toEqual({ allowed: false, reason: "forbidden" });
    expect(change("admin", "owner", "admin", 2)).toEqual({ allowed: false, reason: "forbidden" });
    expect(change("admin", "owner", "owner", 2)).toEqual({ allowed: false, reason: "forbidden" });
  });

  it("lets members change no role, their own included", () => {
    for (const target of ["owner", "admin", "member"] as const) {
      for (const role of ["owner", "admin", "member"] as const) {
        expect(change("member", target, role, 2)).toEqual({ allowed: false, reason: "forbidden" });
      }
    }
  });

  it("answers a role the member already has as no change", () => {
    expect(change("owner", "admin", "admin")).toEqual({ allowed: true, changed: false });
    expect(change("owner", "owner", "owner", 1)).toEqual({ allowed: true, changed: false });
  });

  it("revokes invitations exactly when someone who could invite no longer can", () => {
    expect(change("owner", "member", "admin")).toMatchObject({ revokesInvitations: false });
    expect(change("owner", "owner", "admin", 2)).toMatchObject({ revokesInvitations: false });
    expect(change("admin", "admin", "member")).toMatchObject({ revokesInvitations: true });
  });
});
