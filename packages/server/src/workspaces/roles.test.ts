import { describe, expect, it } from "vitest";
import { canManageAllKeys, decideMemberRemoval, hasRoleAtLeast } from "./roles.ts";

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
