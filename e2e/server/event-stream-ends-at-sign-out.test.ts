/**
 * Signing out ends the event streams the session opened at once, on every replica: on PostgreSQL
 * the stream is open on replica B and the sign-out goes to replica A. (On SQLite, one server does
 * both.) The streams' own keep-alive check would end them only up to 15 s later.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, TEST_ENGINE, type TestStore } from "../support/store.ts";

let store: TestStore;
let signOutThrough: RunningServer;
let streamFrom: RunningServer;

beforeAll(async () => {
  store = await createTestStore();
  signOutThrough = await startServer({ store });
  streamFrom = TEST_ENGINE === "postgres" ? await startServer({ store }) : signOutThrough;
});

afterAll(async () => {
  await Promise.all([signOutThrough?.stop(), streamFrom?.stop()]);
  await store?.cleanup();
});

/** Opens the workspace's event stream with a session cookie; resolves once it is connected. */
function openStream(baseUrl: string, workspaceId: string, cookie: string) {
  return new Promise<{ ended: Promise<number>; close(): void }>((resolve, reject) => {
    const request = http.get(
      `${baseUrl}/api/v1/workspaces/${workspaceId}/events`,
      { headers: { cookie } },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream refused: ${response.statusCode}`));
        const ended = new Promise<number>((done) => response.once("close", () => done(Date.now())));
        response.once("data", () => resolve({ ended, close: () => request.destroy() }));
      },
    );
    request.once("error", reject);
  });
}

describe("event streams and sign-out", () => {
  it(`regression: a stream outlived sign-out by up to 15 s; now it ends at once (${TEST_ENGINE === "postgres" ? "across replicas" : "one server"})`, async () => {
    const owner = await signUpWithWorkspace(signOutThrough.url);
    const otherSession = new ApiClient(signOutThrough.url);
    expect(
      (await otherSession.post("/api/v1/auth/login", { email: owner.user.email, password: owner.password }))
        .status,
    ).toBe(200);

    const signingOut = await openStream(streamFrom.url, owner.workspaceId, owner.client.sessionCookie ?? "");
    const staying = await openStream(streamFrom.url, owner.workspaceId, otherSession.sessionCookie ?? "");
    let stayingEndedAt: number | undefined;
    void staying.ended.then((at) => {
      stayingEndedAt = at;
    });

    const signedOutAt = Date.now();
    expect((await owner.client.post("/api/v1/auth/logout")).status).toBe(204);
    const endedAt = await Promise.race([
      signingOut.ended,
      new Promise<undefined>((resolve) => setTimeout(resolve, 3_000)),
    ]);
    expect(endedAt, "the stream is still open 3 s after sign-out").toBeDefined();
    console.info(`stream ended ${(endedAt ?? 0) - signedOutAt} ms after the sign-out was sent`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stayingEndedAt).toBeUndefined();
    staying.close();
  });
});
