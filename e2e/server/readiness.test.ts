/**
 * /healthz answers while the process runs; /readyz answers 200 only while the database answers. On
 * PostgreSQL the database can be taken away under a running server and given back.
 */

import { describe, expect, it } from "vitest";
import { ApiClient, createKey, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";
import { asAdministrator, TEST_ENGINE } from "../support/store.ts";

const fixture = useServer();

async function waitForStatus(path: string, status: number): Promise<number> {
  const client = new ApiClient(fixture.server.url);
  const deadline = Date.now() + 10_000;
  let last = 0;
  while (Date.now() < deadline) {
    last = (await client.get(path)).status;
    if (last === status) return last;
  }
  return last;
}

describe("health and readiness", () => {
  it("both answer 200 while the database answers", async () => {
    const client = new ApiClient(fixture.server.url);
    expect(await client.get("/healthz")).toMatchObject({ status: 200, body: { ok: true } });
    expect((await client.get("/readyz")).status).toBe(200);
  });

  it.runIf(TEST_ENGINE === "postgres")(
    "regression: PostgreSQL ending idle connections crashed the server; now readyz answers 503 until it is back, healthz stays 200",
    async () => {
      // Publish an event first, so the event bus holds an idle connection of its own to lose too
      // (regression: the bus's pool had no error listener and took the process down).
      const owner = await signUpWithWorkspace(fixture.server.url);
      await createKey(owner, "before-the-outage");
      const database = new URL(fixture.store.env.COGNO_DATABASE_URL ?? "").pathname.slice(1);
      await asAdministrator(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await asAdministrator(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`,
      );
      try {
        expect(await waitForStatus("/readyz", 503)).toBe(503);
        const client = new ApiClient(fixture.server.url);
        expectError(await client.get("/readyz"), 503, "service_unavailable");
        expect((await client.get("/healthz")).status).toBe(200);
      } finally {
        await asAdministrator(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      }
      expect(await waitForStatus("/readyz", 200)).toBe(200);
      expect(fixture.server.process.exitCode).toBeNull();
      expect(fixture.server.output()).toContain("a database connection was lost");
      const signup = await new ApiClient(fixture.server.url).post("/api/v1/auth/signup", {
        email: `after.outage.${Date.now()}@example.com`,
        password: "long enough password",
        name: "After",
      });
      expect(signup.status).toBe(201);
    },
  );
});
