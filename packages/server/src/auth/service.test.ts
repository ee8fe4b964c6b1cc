import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { userActor } from "../audit/service.ts";
import { codeOf } from "../testing/error-code.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { acceptInvitation, createInvitation } from "../workspaces/invitation-service.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { authenticateSession, logIn, logOut, SESSION_DAYS, signUp } from "./service.ts";

let deps: TestDeps;

beforeEach(async () => {
  deps = await createTestDeps();
});

afterEach(async () => {
  await deps.cleanup();
});

const DAY_MS = 24 * 60 * 60 * 1000;

describe("sessions", () => {
  it("last the documented number of days, then sign the user out", async () => {
    const { token, user } = await signUp(
      deps,
      { email: "a@example.com", password: "long enough", name: "A" },
      "c",
    );
    expect((await authenticateSession(deps, token)).id).toBe(user.id);
    deps.clock.advance(SESSION_DAYS * DAY_MS - 1);
    expect(await codeOf(authenticateSession(deps, token))).toBe("ok");
    deps.clock.advance(1);
    expect(await codeOf(authenticateSession(deps, token))).toBe("unauthenticated");
  });

  it("end at logout, leaving the user's other sessions alone", async () => {
    const first = await signUp(deps, { email: "b@example.com", password: "long enough", name: "B" }, "c");
    const second = await logIn(deps, { email: "b@example.com", password: "long enough" }, "c");
    await logOut(deps, first.token);
    expect(await codeOf(authenticateSession(deps, first.token))).toBe("unauthenticated");
    expect(await codeOf(authenticateSession(deps, second.token))).toBe("ok");
  });

  it("are stored only as hashes", async () => {
    const { token } = await signUp(deps, { email: "c@example.com", password: "long enough", name: "C" }, "c");
    const rows = await deps.db.selectFrom("sessions").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe("invitations", () => {
  it("stop working after 7 days", async () => {
    const owner = await signUp(deps, { email: "o@example.com", password: "long enough", name: "O" }, "c");
    const invitee = await signUp(deps, { email: "i@example.com", password: "long enough", name: "I" }, "c");
    const workspace = await createWorkspace(deps, owner.user.id, "Acme");
    const { token, invitation } = await createInvitation(deps, workspace.id, userActor(owner.user), {
      role: "member",
    });
    expect(Date.parse(invitation.expiresAt) - deps.clock.now().getTime()).toBe(7 * DAY_MS);
    deps.clock.advance(7 * DAY_MS);
    expect(await codeOf(acceptInvitation(deps, token, userActor(invitee.user)))).toBe("not_found");
  });
});
