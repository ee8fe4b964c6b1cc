/**
 * The audit log against the real server (API.md v1.1 "Audit log"): key changes made through the API
 * are recorded with who, when, from where; pages and the JSON-lines export agree; only owners and
 * admins read it; nothing changes or deletes an entry; no secret reaches it.
 */
import { createHash } from "node:crypto";
import {
  auditEntrySchema,
  auditLogResponseSchema,
  createApiKeyResponseSchema,
  rollApiKeyResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, addMember, bodyOf, createKey, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";

const fixture = useServer();
const USER_AGENT = "Mozilla/5.0 (audit e2e)";

async function keyLifeCycle() {
  const owner = await signUpWithWorkspace(fixture.server.url, "Auditor");
  const keys = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
  const asBrowser = { "user-agent": USER_AGENT };
  const created = await owner.client.request("POST", keys, { name: "laptop" }, asBrowser);
  expect(created.status).toBe(201);
  const createdBody = bodyOf(created, createApiKeyResponseSchema);
  const keyId = createdBody.apiKey.id;
  expect(
    (await owner.client.request("PATCH", `${keys}/${keyId}`, { name: "old laptop" }, asBrowser)).status,
  ).toBe(200);
  const rolled = await owner.client.request(
    "POST",
    `${keys}/${keyId}/roll`,
    { expiresInSeconds: 3600 },
    asBrowser,
  );
  expect(rolled.status).toBe(201);
  const rolledBody = bodyOf(rolled, rollApiKeyResponseSchema);
  expect((await owner.client.request("DELETE", `${keys}/${keyId}`, undefined, asBrowser)).status).toBe(200);
  return {
    owner,
    keyId,
    newKeyId: rolledBody.apiKey.id,
    secrets: [createdBody.key, rolledBody.key],
  };
}

function auditPath(workspaceId: string, query = "") {
  return `/api/v1/workspaces/${workspaceId}/audit-log${query}`;
}

describe("what the audit log records", () => {
  it("records created, renamed, rolled and revoked, newest first, with the actor, address and user agent", async () => {
    const { owner, keyId, newKeyId } = await keyLifeCycle();
    const response = await owner.client.get(auditPath(owner.workspaceId));
    expect(response.status).toBe(200);
    expect(Object.keys(bodyOf(response, auditLogResponseSchema)).sort()).toEqual(["entries", "nextCursor"]);
    const { entries, nextCursor } = auditLogResponseSchema.parse(response.body);
    expect(nextCursor).toBeNull();
    // Newest first; entries made in the same millisecond (a roll's two) may come in either order.
    const times = entries.map((entry) => entry.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(entries.map((entry) => `${entry.action} ${entry.target.id}`).sort()).toEqual(
      [
        `api_key.created ${keyId}`,
        `api_key.renamed ${keyId}`,
        `api_key.rolled ${keyId}`,
        `api_key.created ${newKeyId}`,
        `api_key.revoked ${keyId}`,
      ].sort(),
    );
    expect(entries.at(-1)?.action).toBe("api_key.created");
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual([
        "action",
        "actor",
        "at",
        "details",
        "id",
        "ip",
        "target",
        "userAgent",
      ]);
      expect(entry).toMatchObject({
        actor: { type: "user", id: owner.user.id, name: owner.user.name },
        target: { type: "api_key" },
        ip: "127.0.0.1",
        userAgent: USER_AGENT,
      });
    }
    expect(entries.find((entry) => entry.action === "api_key.renamed")?.details).toEqual({
      from: "laptop",
      to: "old laptop",
    });
  });

  it("pages with before and limit until nextCursor is null, and refuses limits outside 1 to 200", async () => {
    const { owner } = await keyLifeCycle();
    const all = auditLogResponseSchema.parse(
      (await owner.client.get(auditPath(owner.workspaceId))).body,
    ).entries;
    const paged = [];
    let before: string | null = "";
    while (before !== null) {
      const query: string = before === "" ? "?limit=2" : `?limit=2&before=${encodeURIComponent(before)}`;
      const page = auditLogResponseSchema.parse(
        (await owner.client.get(auditPath(owner.workspaceId, query))).body,
      );
      expect(page.entries.length).toBeLessThanOrEqual(2);
      paged.push(...page.entries);
      before = page.nextCursor;
    }
    expect(paged).toEqual(all);
    for (const limit of ["0", "201", "x"]) {
      const message = expectError(
        await owner.client.get(auditPath(owner.workspaceId, `?limit=${limit}`)),
        400,
        "validation_failed",
      );
      expect(message).toContain("limit");
    }
  });

  it("filters by action and by actor", async () => {
    const { owner } = await keyLifeCycle();
    const created = auditLogResponseSchema.parse(
      (await owner.client.get(auditPath(owner.workspaceId, "?action=api_key.created"))).body,
    );
    expect(created.entries.map((entry) => entry.action)).toEqual(["api_key.created", "api_key.created"]);
    const byOwner = auditLogResponseSchema.parse(
      (await owner.client.get(auditPath(owner.workspaceId, `?actor=${owner.user.id}`))).body,
    );
    expect(byOwner.entries).toHaveLength(5);
    const bySystem = auditLogResponseSchema.parse(
      (await owner.client.get(auditPath(owner.workspaceId, "?actor=system"))).body,
    );
    expect(bySystem.entries).toEqual([]);
    expectError(
      await owner.client.get(auditPath(owner.workspaceId, "?action=nope")),
      400,
      "validation_failed",
    );
  });

  it("exports every entry newest first as JSON lines, the same entries the pages show", async () => {
    const { owner } = await keyLifeCycle();
    const listed = auditLogResponseSchema.parse(
      (await owner.client.get(auditPath(owner.workspaceId))).body,
    ).entries;
    const response = await fetch(
      `${fixture.server.url}${auditPath(owner.workspaceId, "?format=ndjson&limit=1")}`,
      {
        headers: { cookie: owner.client.sessionCookie ?? "" },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const text = await response.text();
    const exported = text
      .trimEnd()
      .split("\n")
      .map((line) => auditEntrySchema.parse(JSON.parse(line)));
    expect(exported).toEqual(listed);
  });
});

describe("who may read it, and that it only grows", () => {
  it("answers owners and admins; members and outsiders get 403, no session 401", async () => {
    const { owner } = await keyLifeCycle();
    const admin = await addMember(owner, "admin");
    const member = await addMember(owner, "member");
    expect((await admin.client.get(auditPath(owner.workspaceId))).status).toBe(200);
    expectError(await member.client.get(auditPath(owner.workspaceId)), 403, "forbidden");
    expectError(await member.client.get(auditPath(owner.workspaceId, "?format=ndjson")), 403, "forbidden");
    const outsider = await signUpWithWorkspace(fixture.server.url, "Outsider");
    expectError(await outsider.client.get(auditPath(owner.workspaceId)), 403, "forbidden");
    expectError(
      await new ApiClient(fixture.server.url).get(auditPath(owner.workspaceId)),
      401,
      "unauthenticated",
    );
  });

  it("has no way to change or delete an entry: every other method answers 404 and the entries stay", async () => {
    const { owner } = await keyLifeCycle();
    const before = auditLogResponseSchema.parse((await owner.client.get(auditPath(owner.workspaceId))).body);
    const entryId = before.entries[0]?.id ?? "";
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const path of [auditPath(owner.workspaceId), `${auditPath(owner.workspaceId)}/${entryId}`]) {
        const response = await owner.client.request(method, path, { action: "api_key.created" });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      }
    }
    const after = auditLogResponseSchema.parse((await owner.client.get(auditPath(owner.workspaceId))).body);
    expect(after).toEqual(before);
  });

  it("holds no secret: no raw key, no part of its random text, no hash", async () => {
    const { owner, secrets } = await keyLifeCycle();
    const response = await fetch(`${fixture.server.url}${auditPath(owner.workspaceId, "?format=ndjson")}`, {
      headers: { cookie: owner.client.sessionCookie ?? "" },
    });
    const text = await response.text();
    expect(text.length).toBeGreaterThan(0);
    for (const key of secrets) {
      expect(text).not.toContain(key.slice(17));
      expect(text).not.toContain(createHash("sha256").update(key).digest("hex"));
    }
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe("workspaces keep their own logs", () => {
  it("shows no entry of another workspace", async () => {
    const first = await keyLifeCycle();
    const second = await signUpWithWorkspace(fixture.server.url, "Other");
    await createKey(second, "theirs");
    const entries = auditLogResponseSchema.parse(
      (await second.client.get(auditPath(second.workspaceId))).body,
    ).entries;
    expect(entries.map((entry) => entry.action)).toEqual(["api_key.created"]);
    expect(JSON.stringify(entries)).not.toContain(first.keyId);
  });
});
