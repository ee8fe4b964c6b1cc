/**
 * A worker row belongs to its key owner's machine (issue 8 #3, API.md v1.1 "Workers"): another
 * member who knows the machine id and registers it with their own key gets a row of their own, and
 * the owner's worker is neither changed nor disconnected.
 */
import { workersResponseSchema } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { addMember, createKey, signUpWithWorkspace } from "../support/api.ts";
import { useServer } from "../support/server.ts";
import { connectRegistered } from "../support/worker-socket.ts";

const fixture = useServer();

describe("registering another user's machine id", () => {
  it("makes another row, and leaves the owner's worker connected and unchanged", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url, "Olivia");
    const intruder = await addMember(owner, "member", "Mallory");
    const ownerKey = await createKey(owner, "olivia-laptop");
    const intruderKey = await createKey(
      { client: intruder.client, workspaceId: owner.workspaceId },
      "mallory",
    );
    const machineId = "machine-id-everyone-saw-in-a-log";
    const list = async () =>
      workersResponseSchema.parse(
        (await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/workers`)).body,
      ).workers;

    const victim = await connectRegistered(fixture.server.url, ownerKey.key, machineId, "olivia-laptop");
    const before = (await list()).find((row) => row.id === victim.workerId);
    const victimHears = victim.next(1_500).catch(() => "nothing");

    const attacker = await connectRegistered(fixture.server.url, intruderKey.key, machineId, "stolen");

    expect(attacker.workerId).not.toBe(victim.workerId);
    // The owner's daemon is told nothing and stays connected.
    expect(await victimHears).toBe("nothing");
    expect(victim.socket.readyState).toBe(victim.socket.OPEN);
    const rows = await list();
    expect(rows.find((row) => row.id === victim.workerId)).toEqual({ ...before, status: "online" });
    expect(rows.find((row) => row.id === attacker.workerId)).toMatchObject({
      name: "stolen",
      apiKey: { id: intruderKey.apiKey.id },
      status: "online",
    });

    // The same user again (a restart, another of their keys) still takes over their own row.
    const ownerSecondKey = await createKey(owner, "olivia-rotated");
    const victimClosed = victim.closed;
    const again = await connectRegistered(fixture.server.url, ownerSecondKey.key, machineId, "olivia-laptop");
    expect(again.workerId).toBe(victim.workerId);
    expect((await victimClosed).code).toBe(4000);
    expect(attacker.socket.readyState).toBe(attacker.socket.OPEN);
    for (const socket of [again, attacker]) socket.socket.close();
  });
});
