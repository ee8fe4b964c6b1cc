/** Stop and forget over HTTP, in-process: statuses, exact shapes and error bodies of API.md v1.1. */
import { workerSchema } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../apikeys/service.ts";
import { signedUpPerson, startTestApp, type TestApp, type TestPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { upsertWorkerOnRegister } from "./store.ts";

let deps: TestDeps;
let http: TestApp;
let owner: TestPerson;
let workspaceId: string;
let base: string;

beforeEach(async () => {
  deps = await createTestDeps();
  http = await startTestApp(deps);
  owner = await signedUpPerson(deps, "Olivia");
  workspaceId = (await http.call("POST", "/api/v1/workspaces", { as: owner, body: { name: "Acme" } })).json()
    .workspace.id;
  base = `/api/v1/workspaces/${workspaceId}/workers`;
});

afterEach(async () => {
  await http.close();
  await deps.cleanup();
});

async function registeredWorker(machineId: string): Promise<string> {
  const { apiKey } = await createApiKey(deps, { workspaceId, actor: owner.user, name: machineId });
  const workerId = await upsertWorkerOnRegister(deps.db, {
    newId: `wkr_${machineId}`,
    workspaceId,
    ownerId: owner.user.id,
    apiKeyId: apiKey.id,
    connectionId: `conn_${machineId}`,
    ip: "203.0.113.5",
    at: deps.clock.now().toISOString(),
    hello: {
      type: "register",
      machineId,
      name: machineId,
      hostname: machineId,
      os: "linux",
      arch: "x64",
      version: "1",
    },
  });
  return workerId ?? "";
}

describe("POST …/workers/:workerId/disconnect", () => {
  it("answers 200 { worker } with status stopped, in the contract's exact shape", async () => {
    const workerId = await registeredWorker("box");
    const response = await http.call("POST", `${base}/${workerId}/disconnect`, { as: owner });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body)).toEqual(["worker"]);
    expect(workerSchema.strict().parse(body.worker)).toMatchObject({ id: workerId, status: "stopped" });
  });

  it("answers 404 not_found for an unknown worker and 401 without a session", async () => {
    const unknown = await http.call("POST", `${base}/wkr_unknown/disconnect`, { as: owner });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("not_found");
    expect((await http.call("POST", `${base}/wkr_unknown/disconnect`)).statusCode).toBe(401);
  });
});

describe("DELETE …/workers/:workerId", () => {
  it("answers 409 worker_online while it is connected, then 204 once it is stopped", async () => {
    const workerId = await registeredWorker("box");
    const online = await http.call("DELETE", `${base}/${workerId}`, { as: owner });
    expect(online.statusCode).toBe(409);
    expect(online.json()).toEqual({
      error: {
        code: "worker_online",
        message: expect.stringContaining("Stop it"),
        requestId: expect.any(String),
      },
    });
    await http.call("POST", `${base}/${workerId}/disconnect`, { as: owner });
    const forgotten = await http.call("DELETE", `${base}/${workerId}`, { as: owner });
    expect(forgotten.statusCode).toBe(204);
    expect(forgotten.body).toBe("");
    expect((await http.call("GET", base, { as: owner })).json()).toEqual({ workers: [] });
  });
});
