/**
 * GET /workspaces/:id/audit-log in-process (app.inject): who may read it, paging, filters, the
 * JSON-lines export, and that no route changes or deletes an entry.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { auditEntrySchema, auditLogResponseSchema, routes, type User } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../app.ts";
import { signUp } from "../auth/service.ts";
import { joinWorkspace } from "../testing/members.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { recordAudit, SYSTEM_ACTOR } from "./store.ts";

let deps: TestDeps;
let app: App;
let workspaceId: string;
let owner: { user: User; cookie: string };

async function person(name: string): Promise<{ user: User; cookie: string }> {
  const session = await signUp(
    deps,
    { email: `${name.toLowerCase()}@example.com`, password: "long enough", name },
    `client-${name}`,
  );
  return { user: session.user, cookie: `cogno_session=${session.token}` };
}

async function join(role: "admin" | "member", name: string) {
  const joiner = await person(name);
  await joinWorkspace(deps, { workspaceId, inviter: owner.user, joiner: joiner.user, role });
  return joiner;
}

/** `count` entries one second apart, alternating a person's key creations and the system's expiries. */
async function seed(count: number): Promise<void> {
  const entries = Array.from({ length: count }, (_, i) => ({
    workspaceId,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + i * 1000).toISOString(),
    action: i % 2 === 0 ? ("api_key.created" as const) : ("api_key.expired" as const),
    actor:
      i % 2 === 0
        ? { type: "user" as const, id: owner.user.id, name: owner.user.name, ip: "10.0.0.1", userAgent: "t" }
        : SYSTEM_ACTOR,
    target: { type: "api_key" as const, id: `key_${i}`, name: `k${i}` },
    details: { n: i },
  }));
  await recordAudit(deps.db, entries);
}

/** GET as the owner, as another person (their cookie), or with no session (null). */
function get(url: string, cookie: string | null = owner.cookie) {
  return app.http.inject({ method: "GET", url, headers: cookie === null ? {} : { cookie } });
}

const logPath = () => `/api/v1/workspaces/${workspaceId}/audit-log`;

beforeEach(async () => {
  deps = await createTestDeps();
  owner = await person("Owner");
  workspaceId = (await createWorkspace(deps, owner.user.id, "Acme")).id;
  app = await createApp(deps);
});

afterEach(async () => {
  await app.shutDown();
  await deps.cleanup();
});

describe("who may read the audit log", () => {
  it("answers owners and admins, 403 to members and outsiders, 401 without a session", async () => {
    const admin = await join("admin", "Admin");
    const member = await join("member", "Member");
    const outsider = await person("Outsider");
    expect((await get(logPath())).statusCode).toBe(200);
    expect((await get(logPath(), admin.cookie)).statusCode).toBe(200);
    for (const refused of [member, outsider]) {
      const response = await get(logPath(), refused.cookie);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: "forbidden" } });
      const exported = await get(`${logPath()}?format=ndjson`, refused.cookie);
      expect(exported.statusCode).toBe(403);
    }
    expect((await get(logPath(), null)).json()).toMatchObject({ error: { code: "unauthenticated" } });
  });
});

describe("reading the audit log", () => {
  it("pages 50 newest first by default, with nextCursor null on the last page", async () => {
    await seed(60);
    const first = auditLogResponseSchema.parse((await get(logPath())).json());
    expect(first.entries).toHaveLength(50);
    expect(first.entries[0]?.target.name).toBe("k59");
    expect(first.nextCursor).not.toBeNull();
    const second = auditLogResponseSchema.parse(
      (await get(`${logPath()}?before=${first.nextCursor}`)).json(),
    );
    expect(second.entries.map((entry) => entry.target.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `k${9 - i}`),
    );
    expect(second.nextCursor).toBeNull();
    expect(first.entries[0]).toEqual({
      id: expect.stringMatching(/^aud_/),
      at: "2026-01-01T00:00:59.000Z",
      action: "api_key.expired",
      actor: { type: "system", id: null, name: "Cogno" },
      target: { type: "api_key", id: "key_59", name: "k59" },
      ip: null,
      userAgent: null,
      details: { n: 59 },
    });
  });

  it("takes limit 1 to 200 and answers 400 naming limit outside it", async () => {
    await seed(3);
    expect(auditLogResponseSchema.parse((await get(`${logPath()}?limit=1`)).json()).entries).toHaveLength(1);
    expect((await get(`${logPath()}?limit=200`)).statusCode).toBe(200);
    for (const limit of ["0", "201", "-1", "1.5", "many"]) {
      const response = await get(`${logPath()}?limit=${limit}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        error: { code: "validation_failed", message: expect.stringContaining("limit") },
      });
    }
  });

  it("answers 400 naming before for a cursor it did not give out", async () => {
    const response = await get(`${logPath()}?before=not-a-cursor`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain("before");
  });

  it("filters by action and by actor (a user id, system or reporter), and refuses an unknown action", async () => {
    await seed(6);
    const expired = auditLogResponseSchema.parse((await get(`${logPath()}?action=api_key.expired`)).json());
    expect(expired.entries.map((entry) => entry.target.name)).toEqual(["k5", "k3", "k1"]);
    const bySystem = auditLogResponseSchema.parse((await get(`${logPath()}?actor=system`)).json());
    expect(bySystem.entries).toHaveLength(3);
    const byOwner = auditLogResponseSchema.parse((await get(`${logPath()}?actor=${owner.user.id}`)).json());
    expect(byOwner.entries.map((entry) => entry.target.name)).toEqual(["k4", "k2", "k0"]);
    const byReporter = auditLogResponseSchema.parse((await get(`${logPath()}?actor=reporter`)).json());
    expect(byReporter.entries).toEqual([]);
    const unknown = await get(`${logPath()}?action=api_key.deleted`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain("api_key.reported_leaked");
  });

  it("exports every entry newest first as JSON lines, ignoring before and limit", async () => {
    await seed(7);
    const response = await get(`${logPath()}?format=ndjson&limit=2&before=whatever`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/x-ndjson; charset=utf-8");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body.endsWith("\n")).toBe(true);
    const lines = response.body.trimEnd().split("\n");
    const entries = lines.map((line) => auditEntrySchema.parse(JSON.parse(line)));
    expect(entries.map((entry) => entry.target.name)).toEqual(["k6", "k5", "k4", "k3", "k2", "k1", "k0"]);
    const filtered = await get(`${logPath()}?format=ndjson&action=api_key.created`);
    expect(filtered.body.trimEnd().split("\n")).toHaveLength(4);
  });

  it("exports an empty log as an empty body", async () => {
    const response = await get(`${logPath()}?format=ndjson`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("");
  });

  it("answers 400 naming format for an unknown format", async () => {
    const response = await get(`${logPath()}?format=csv`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain("format");
  });
});

describe("entries are append-only", () => {
  it("has no route that changes or deletes an entry: other methods on the log answer 404", async () => {
    await seed(1);
    const [entry] = auditLogResponseSchema.parse((await get(logPath())).json()).entries;
    for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
      for (const url of [logPath(), `${logPath()}/${entry?.id}`]) {
        const response = await app.http.inject({
          method,
          url,
          headers: { cookie: owner.cookie, "content-type": "application/json" },
          payload: "{}",
        });
        expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 404 });
      }
    }
    expect(auditLogResponseSchema.parse((await get(logPath())).json()).entries).toEqual([entry]);
  });

  it("declares only the one read route for the audit log in the contract", () => {
    const auditRoutes = Object.values(routes).filter((route) => route.path.includes("audit"));
    expect(auditRoutes.map((route) => `${route.method} ${route.path}`)).toEqual([
      "GET /api/v1/workspaces/:workspaceId/audit-log",
    ]);
  });

  it("has no statement in the server that updates or deletes audit_log rows", async () => {
    const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
    const offenders: string[] = [];
    for (const file of await readdir(root, { recursive: true })) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      const text = await readFile(path.join(root, file), "utf8");
      if (
        /(updateTable|deleteFrom)\(\s*"audit_log"/.test(text) ||
        /(update|delete\s+from)\s+audit_log/i.test(text)
      )
        offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
