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

  it("announce their end by session id, never by token, so every replica can end their streams", async () => {
    const { token } = await signUp(deps, { email: "d@example.com", password: "long enough", name: "D" }, "c");
    await logOut(deps, token);
    const ended = deps.events.filter((event) => event.type === "session.ended");
    expect(ended).toEqual([{ type: "session.ended", sessionId: expect.stringMatching(/^ses_/) }]);
    expect(JSON.stringify(deps.events)).not.toContain(token);
    // Signing out again, or with a token that opens nothing, announces nothing.
    await logOut(deps, token);
    await logOut(deps, "not-a-session");
    expect(deps.events.filter((event) => event.type === "session.ended")).toHaveLength(1);
  });

  it("are stored only as hashes", async () => {
    const { token } = await signUp(deps, { email: "c@example.com", password: "long enough", name: "C" }, "c");
    const rows = await deps.db.selectFrom("sessions").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe("sign-ups", () => {
  const signUpAs = (email: string, client: string) =>
    codeOf(signUp(deps, { email, password: "long enough", name: "N" }, client));

  it("regression: sign-ups were unlimited; every attempt from an address counts, the one past the limit gets rate_limited", async () => {
    expect(deps.config.signupsPerMinute).toBe(10);
    expect(await signUpAs("taken@example.com", "10.0.0.1")).toBe("ok");
    // Failed attempts count too: a taken email is an attempt like any other.
    for (let i = 0; i < 2; i++) expect(await signUpAs("taken@example.com", "10.0.0.1")).toBe("conflict");
    for (let i = 0; i < 7; i++) expect(await signUpAs(`u${i}@example.com`, "10.0.0.1")).toBe("ok");
    expect(await signUpAs("eleventh@example.com", "10.0.0.1")).toBe("rate_limited");
    expect(
      await deps.db
        .selectFrom("users")
        .select("email")
        .where("email", "=", "eleventh@example.com")
        .executeTakeFirst(),
    ).toBeUndefined();
    // Another address has its own count; the limited one may sign up again in the next minute.
    expect(await signUpAs("other@example.com", "10.0.0.2")).toBe("ok");
    deps.clock.advance(60_000);
    expect(await signUpAs("eleventh@example.com", "10.0.0.1")).toBe("ok");
  });

  it("says when to try again", async () => {
    for (let i = 0; i < 10; i++) await signUpAs(`w${i}@example.com`, "10.0.0.3");
    deps.clock.advance(15_000);
    const refused = await signUp(
      deps,
      { email: "x@example.com", password: "long enough", name: "X" },
      "10.0.0.3",
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "rate_limited", retryAfter: 45 });
    expect(String(refused)).toContain("Too many sign-ups with this address. Try again in 45 seconds.");
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
