import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { Connection } from "./connection.ts";
import { ConnectionRegistry } from "./connection-registry.ts";
import { TokenBucket } from "./message-budget.ts";

function connection(id: string, keyId: string): Connection {
  return {
    id,
    socket: {} as WebSocket,
    workspaceId: "wsp_1",
    ownerId: "usr_1",
    ip: "127.0.0.1",
    openedAt: 0,
    budget: new TokenBucket({ burst: 1, perSecond: 1 }, 0),
    apiKey: { id: keyId, name: keyId, prefix: "cogno_wk_abcdefgh" },
    state: "open",
    workerId: undefined,
    lastSeenAt: 0,
    heartbeatPending: false,
    stopped: false,
  };
}

describe("ConnectionRegistry", () => {
  it("finds connections by key and by worker, and forgets empty entries", () => {
    const registry = new ConnectionRegistry();
    const a = connection("conn_a", "key_1");
    const b = connection("conn_b", "key_1");
    const c = connection("conn_c", "key_2");
    for (const item of [a, b, c]) registry.add(item);
    registry.attachWorker(a, "wkr_1");
    registry.attachWorker(b, "wkr_1");

    expect(registry.size).toBe(3);
    expect([...registry.ofKey("key_1")]).toEqual([a, b]);
    expect(registry.countOfKey("key_2")).toBe(1);
    expect([...registry.ofWorker("wkr_1")]).toEqual([a, b]);
    expect(a.workerId).toBe("wkr_1");

    registry.remove(a);
    registry.remove(c);
    expect([...registry.ofWorker("wkr_1")]).toEqual([b]);
    expect([...registry.keyIds()]).toEqual(["key_1"]);
    expect(registry.countOfKey("key_2")).toBe(0);
    registry.remove(b);
    expect(registry.size).toBe(0);
    expect([...registry.keyIds()]).toEqual([]);
    expect(registry.ofWorker("wkr_1").size).toBe(0);
  });

  it("does not index a worker for a connection that already left", () => {
    const registry = new ConnectionRegistry();
    const gone = connection("conn_gone", "key_1");
    registry.add(gone);
    registry.remove(gone);
    registry.attachWorker(gone, "wkr_1");
    expect(gone.workerId).toBe("wkr_1");
    expect(registry.ofWorker("wkr_1").size).toBe(0);
  });
});
