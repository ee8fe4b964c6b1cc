import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signUp } from "../auth/service.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { listAuditEntries, recordAudit, SYSTEM_ACTOR, streamAuditEntries } from "./store.ts";

let deps: TestDeps;
let workspaceId: string;
let userId: string;

beforeEach(async () => {
  deps = await createTestDeps();
  userId = (await signUp(deps, { email: "o@example.com", password: "long enough", name: "O" }, "c")).user.id;
  workspaceId = (await createWorkspace(deps, userId, "Acme")).id;
  const person = { type: "user" as const, id: userId, name: "O", ip: "10.0.0.1", userAgent: "test" };
  for (let i = 0; i < 5; i++) {
    await recordAudit(deps.db, {
      workspaceId,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      action: i % 2 === 0 ? "api_key.created" : "api_key.expired",
      actor: i % 2 === 0 ? person : SYSTEM_ACTOR,
      target: { type: "api_key", id: `key_${i}`, name: `k${i}` },
      details: { n: i },
    });
  }
});

afterEach(async () => {
  await deps.cleanup();
});

const all = { action: undefined, actor: undefined };

describe("the audit log", () => {
  it("pages newest first, and says on the last page that there is no next one", async () => {
    const first = await listAuditEntries(deps.db, { workspaceId, ...all, before: undefined, limit: 2 });
    expect(first.entries.map((entry) => entry.target.name)).toEqual(["k4", "k3"]);
    const second = await listAuditEntries(deps.db, {
      workspaceId,
      ...all,
      before: first.nextCursor ?? "",
      limit: 2,
    });
    const third = await listAuditEntries(deps.db, {
      workspaceId,
      ...all,
      before: second.nextCursor ?? "",
      limit: 2,
    });
    expect([...second.entries, ...third.entries].map((entry) => entry.target.name)).toEqual([
      "k2",
      "k1",
      "k0",
    ]);
    expect(third.nextCursor).toBeNull();
    expect(first.entries[0]).toMatchObject({
      action: "api_key.created",
      actor: { type: "user", id: userId, name: "O" },
      ip: "10.0.0.1",
      userAgent: "test",
      details: { n: 4 },
    });
  });

  it("filters by action and by actor", async () => {
    const expired = await listAuditEntries(deps.db, {
      workspaceId,
      action: "api_key.expired",
      actor: undefined,
      before: undefined,
      limit: 50,
    });
    expect(expired.entries.map((entry) => entry.target.name)).toEqual(["k3", "k1"]);
    const bySystem = await listAuditEntries(deps.db, {
      workspaceId,
      action: undefined,
      actor: "system",
      before: undefined,
      limit: 50,
    });
    expect(bySystem.entries).toHaveLength(2);
    const byUser = await listAuditEntries(deps.db, {
      workspaceId,
      action: undefined,
      actor: userId,
      before: undefined,
      limit: 50,
    });
    expect(byUser.entries).toHaveLength(3);
  });

  it("streams every entry in batches", async () => {
    const names: string[] = [];
    for await (const entry of streamAuditEntries(deps.db, { workspaceId, ...all }, 2))
      names.push(entry.target.name);
    expect(names).toEqual(["k4", "k3", "k2", "k1", "k0"]);
  });
});
