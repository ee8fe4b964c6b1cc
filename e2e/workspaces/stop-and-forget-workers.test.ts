/**
 * Stop one worker and forget one (API.md v1.1 "Workers"), against the real server with real worker
 * sockets: the answer says stopped whichever replica holds the socket, the key stays valid, an
 * online worker cannot be forgotten, and members act only on workers of their own keys.
 */
import { workerResponseSchema, workersResponseSchema } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, addMember, bearer, createKey, signUpWithWorkspace } from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { useServer } from "../support/server.ts";
import { waitFor } from "../support/wait-for.ts";
import { connectRegistered } from "../support/worker-socket.ts";

const fixture = useServer();

async function statusOf(client: ApiClient, workspaceId: string, workerId: string) {
  const response = await client.get(`/api/v1/workspaces/${workspaceId}/workers`);
  return workersResponseSchema.parse(response.body).workers.find((worker) => worker.id === workerId)?.status;
}

describe("stopping a worker from the web app", () => {
  it("answers 200 stopped and shows it stopped, while the key and the other machine on it stay valid", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Olivia");
    const key = await createKey(owner, "shared-key");
    const worker = await connectRegistered(fixture.server.url, key.key, "machine-a", "box-a");
    const sibling = await connectRegistered(fixture.server.url, key.key, "machine-b", "box-b");
    const base = `/api/v1/workspaces/${owner.workspaceId}/workers`;

    const stopped = await owner.client.post(`${base}/${worker.workerId}/disconnect`);
    expect(stopped.status).toBe(200);
    expect(workerResponseSchema.parse(stopped.body).worker).toMatchObject({
      id: worker.workerId,
      status: "stopped",
      apiKey: { id: key.apiKey.id },
    });
    expect(await statusOf(owner.client, owner.workspaceId, worker.workerId)).toBe("stopped");
    // The key other machines share stays valid, and so does the other machine.
    expect(
      (
        await new ApiClient(fixture.server.url).request(
          "GET",
          "/api/v1/worker/whoami",
          undefined,
          bearer(key.key),
        )
      ).status,
    ).toBe(200);
    expect(await statusOf(owner.client, owner.workspaceId, sibling.workerId)).toBe("online");

    worker.socket.terminate();
    sibling.socket.terminate();
  });
});

describe("forgetting a worker", () => {
  it("refuses an online worker (409 worker_online) and forgets one that is stopped (204)", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const key = await createKey(owner);
    const worker = await connectRegistered(fixture.server.url, key.key, "machine-f");
    const base = `/api/v1/workspaces/${owner.workspaceId}/workers`;

    expectError(await owner.client.delete(`${base}/${worker.workerId}`), 409, "worker_online");

    // A clean exit: the daemon says it is stopping and closes.
    worker.send({ type: "stopping" });
    await worker.closed;
    await waitFor(
      () => statusOf(owner.client, owner.workspaceId, worker.workerId),
      (status) => status === "stopped",
    );
    const forgotten = await owner.client.delete(`${base}/${worker.workerId}`);
    expect(forgotten.status).toBe(204);
    expect(await statusOf(owner.client, owner.workspaceId, worker.workerId)).toBeUndefined();
    expectError(await owner.client.delete(`${base}/${worker.workerId}`), 404, "not_found");
  });
});

describe("who may stop and forget", () => {
  it("members act on workers of their own keys only; admins on any; outsiders are refused", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const member = await addMember(owner, "member", "Mia");
    const other = await addMember(owner, "member", "Max");
    const admin = await addMember(owner, "admin", "Ada");
    const membersKey = await createKey(
      { client: member.client, workspaceId: owner.workspaceId },
      "mia-laptop",
    );
    const worker = await connectRegistered(fixture.server.url, membersKey.key, "mia-machine");
    const base = `/api/v1/workspaces/${owner.workspaceId}/workers/${worker.workerId}`;

    expectError(await other.client.post(`${base}/disconnect`), 404, "not_found");
    expectError(await other.client.delete(base), 404, "not_found");
    expect((await member.client.post(`${base}/disconnect`)).status).toBe(200);
    expect((await admin.client.post(`${base}/disconnect`)).status).toBe(200);
    expectError(await new ApiClient(fixture.server.url).post(`${base}/disconnect`), 401, "unauthenticated");
    expect((await admin.client.delete(base)).status).toBe(204);
    worker.socket.terminate();
  });
});
