import { describe, expect, it } from "vitest";
import { decideInvitationUse } from "./invitation-rules.ts";

const now = "2026-06-01T12:00:00.000Z";
const fresh = { role: "member" as const, expiresAt: "2026-06-08T12:00:00.000Z", acceptedBy: null };

describe("decideInvitationUse", () => {
  it("lets a newcomer join once, with the invitation's role", () => {
    expect(decideInvitationUse(fresh, { currentRole: undefined, now })).toEqual({
      kind: "join",
      role: "member",
    });
  });

  it("refuses an expired link", () => {
    expect(decideInvitationUse({ ...fresh, expiresAt: now }, { currentRole: undefined, now })).toEqual({
      kind: "refuse",
      reason: "expired",
    });
  });

  it("regression: a removed member cannot rejoin with the link they already used", () => {
    expect(decideInvitationUse({ ...fresh, acceptedBy: "usr_bob" }, { currentRole: undefined, now })).toEqual(
      {
        kind: "refuse",
        reason: "used",
      },
    );
  });

  it("leaves a current member's role as it is, without using the link up", () => {
    expect(decideInvitationUse({ ...fresh, role: "admin" }, { currentRole: "member", now })).toEqual({
      kind: "already_member",
      role: "member",
    });
  });
});
