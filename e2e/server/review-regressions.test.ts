/**
 * Holes found in review, each shown closed against the real server: a used invitation link, a
 * percent-encoded path around the cross-origin guard, an event stream that outlived its session,
 * and invitation tokens in the log.
 */
import { describe, expect, it } from "vitest";
import { ApiClient, addMember, signUp, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";

describe("review regressions", () => {
  const fixture = useServer({ COGNO_HEARTBEAT_INTERVAL_MS: "200" });

  it("regression: a removed member cannot rejoin with the invitation link they used", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const invited = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      role: "admin",
    });
    const bob = await signUp(fixture.server.url, "Bob");
    const path = `/api/v1/invitations/${invited.body.token}/accept`;
    expect((await bob.client.post(path)).status).toBe(200);
    expect((await bob.client.post(path)).body.role).toBe("admin"); // again while a member: harmless
    expect(
      (await owner.client.delete(`/api/v1/workspaces/${owner.workspaceId}/members/${bob.user.id}`)).status,
    ).toBe(204);
    expectError(await bob.client.post(path), 404, "not_found");
    expectError(await bob.client.get(`/api/v1/workspaces/${owner.workspaceId}`), 403, "forbidden");
    expect(fixture.server.output()).not.toContain(invited.body.token);
  });

  it("regression: a percent-encoded path does not step around the cross-origin guard", async () => {
    const victim = await signUpWithWorkspace(fixture.server.url);
    const crossSite = { "sec-fetch-site": "same-site", cookie: victim.client.sessionCookie ?? "" };
    const client = new ApiClient(fixture.server.url);
    for (const path of ["/api/v1/auth/logout", "/%61pi/v1/auth/logout", "/%61%70%69/v1/workspaces"]) {
      expectError(await client.request("POST", path, {}, crossSite), 403, "cross_origin_rejected");
    }
    expect((await victim.client.get("/api/v1/me")).status).toBe(200); // still signed in
  });

  it("regression: an event stream ends soon after its session does", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const stream = await fetch(`${fixture.server.url}/api/v1/workspaces/${owner.workspaceId}/events`, {
      headers: { cookie: owner.client.sessionCookie ?? "" },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    expect((await owner.client.post("/api/v1/auth/logout")).status).toBe(204);
    const endedWithin = async (ms: number): Promise<boolean> => {
      const deadline = Date.now() + ms;
      while (reader && Date.now() < deadline) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), deadline - Date.now())),
        ]);
        if (chunk?.done) return true;
      }
      return false;
    };
    expect(await endedWithin(3_000)).toBe(true);
  });

  it("regression: an invitation page URL is logged without its token", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const invited = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      role: "member",
    });
    const token: string = invited.body.token;
    const client = new ApiClient(fixture.server.url);
    await client.get(`/invite/${token}`);
    await client.get(`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`);
    await addMember(owner, "member");
    expect(fixture.server.output()).toContain("/invite/[redacted]");
    expect(fixture.server.output()).not.toContain(token);
  });
});
