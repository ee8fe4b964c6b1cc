import { describe, expect, it } from "vitest";
import { decideInvitationUse, isPending } from "./invitation-rules.ts";

const now = "2026-06-01T12:00:00.000Z";
const fresh = { role: "member" as const, expiresAt: "2026-06-08T12:00:00.000Z", revokedAt: null };
const newcomer = { currentRole: undefined, now };

describe("decideInvitationUse", () => {
  it("lets a newcomer join with the invitation's role", () => {
    expect(decideInvitationUse(fresh, newcomer)).toEqual({ kind: "join", role: "member" });
  });

  it("lets several people join with one link until it expires (API.md v1.1)", () => {
    // Nothing about earlier uses is an input: a used link decides like a fresh one.
    expect(decideInvitationUse({ ...fresh, role: "admin" }, newcomer)).toEqual({
      kind: "join",
      role: "admin",
    });
    expect(decideInvitationUse(fresh, { currentRole: undefined, now: "2026-06-08T11:59:59.999Z" })).toEqual({
      kind: "join",
      role: "member",
    });
  });

  it("refuses an expired link, from the moment it expires", () => {
    expect(decideInvitationUse({ ...fresh, expiresAt: now }, newcomer)).toEqual({
      kind: "refuse",
      reason: "expired",
    });
  });

  it("refuses a revoked link", () => {
    expect(decideInvitationUse({ ...fresh, revokedAt: now }, newcomer)).toEqual({
      kind: "refuse",
      reason: "revoked",
    });
  });

  it("regression: refuses someone removed from the workspace after the link was made", () => {
    expect(decideInvitationUse(fresh, { ...newcomer, removedSinceLinkMade: true })).toEqual({
      kind: "refuse",
      reason: "removed",
    });
    expect(decideInvitationUse(fresh, { ...newcomer, removedSinceLinkMade: false })).toEqual({
      kind: "join",
      role: "member",
    });
  });

  it("leaves a current member's role as it is, whatever the link says", () => {
    expect(decideInvitationUse({ ...fresh, role: "admin" }, { currentRole: "member", now })).toEqual({
      kind: "already_member",
      role: "member",
    });
  });

  it("counts as pending only what a newcomer could still use", () => {
    expect(isPending(fresh, now)).toBe(true);
    expect(isPending({ ...fresh, revokedAt: now }, now)).toBe(false);
    expect(isPending({ ...fresh, expiresAt: now }, now)).toBe(false);
  });
});
