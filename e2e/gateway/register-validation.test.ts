/**
 * WebSocket fields are validated like HTTP bodies (issue 8 #6, API.md v1.1): control characters
 * (NUL, ESC, other C0 and C1) are stripped from register's text before anything stores or logs it,
 * and a field that is empty after that, too long, or not a string is refused with 4000 naming it.
 * A NUL once made PostgreSQL fail the write (1011 and a stack trace every time).
 */
import { workersResponseSchema } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { createKey, signUpWithWorkspace } from "../support/api.ts";
import { useServer } from "../support/server.ts";
import { connectWorker, isRefusal } from "../support/worker-socket.ts";

const fixture = useServer();

async function openWorker(key: string) {
  const worker = await connectWorker(fixture.server.url, key);
  if (isRefusal(worker)) throw new Error(`refused: ${worker.status}`);
  return worker;
}

const valid = {
  type: "register",
  machineId: "m",
  name: "n",
  hostname: "h",
  os: "linux",
  arch: "x64",
  version: "1",
};

describe("register with control characters", () => {
  it("strips NUL, ESC, C0 and C1 controls before storing, and registers", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { key } = await createKey(owner);
    const worker = await openWorker(key);
    worker.send({
      ...valid,
      machineId: "machine\u0000-nul",
      name: "build\u0000-box",
      hostname: "\u001b]0;owned\u0007host\u001b[2J\u009b31m.local",
      os: "linux\u0000",
      version: "1.1.0\r\nready",
    });
    const registered = await worker.next();
    expect(registered.type).toBe("registered");
    if (registered.type !== "registered") return;
    const rows = workersResponseSchema.parse(
      (await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers`)).body,
    ).workers;
    expect(rows.find((row) => row.id === registered.workerId)).toMatchObject({
      name: "build-box",
      hostname: "]0;ownedhost[2J31m.local",
      os: "linux",
      version: "1.1.0ready",
      status: "online",
    });
    // The JSON log would show a control character that got through as an escape.
    expect(fixture.server.output()).not.toContain("\\u001b]0;");
    expect(fixture.server.output()).not.toContain("\\u0000");
    worker.socket.close();
  });

  it("refuses with 4000, naming the field, a field empty after stripping, too long, or not a string", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { key } = await createKey(owner);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, hostname: "\u0000\u001b\u0007" }, "hostname"],
      [{ ...valid, name: "x".repeat(101) }, "name"],
      [{ ...valid, machineId: 42 }, "machineId"],
      [{ ...valid, os: undefined }, "os"],
    ];
    for (const [message, field] of cases) {
      const worker = await openWorker(key);
      worker.send(message);
      const refused = await worker.next();
      expect(refused).toMatchObject({ type: "error", error: { code: "validation_failed" } });
      if (refused.type !== "error") throw new Error(`expected an error message, got ${refused.type}`);
      expect(refused.error.message).toContain(field);
      expect((await worker.closed).code).toBe(4000);
    }
    const rows = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers`);
    expect(workersResponseSchema.parse(rows.body).workers).toEqual([]);
    expect(fixture.server.output()).not.toContain("registration failed");
  });
});
