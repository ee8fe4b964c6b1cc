import type { Worker } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { mergeWorker } from "./merge-worker.ts";

const worker = (id: string, name: string, status: Worker["status"]): Worker => ({
  id,
  name,
  hostname: `${name}.local`,
  os: "linux",
  arch: "x64",
  version: "0.1.0",
  status,
  apiKey: { id: "key_1", name: "ci", prefix: "cogno_wk_abcdefgh" },
  registeredAt: "2026-01-01T00:00:00Z",
  connectedAt: null,
  lastHeartbeatAt: null,
  lastIp: null,
});

describe("mergeWorker", () => {
  it("replaces a worker in place of a twin and keeps online workers first", () => {
    const start = [worker("w1", "alpha", "online"), worker("w2", "beta", "online")];
    const merged = mergeWorker(start, worker("w1", "alpha", "revoked"));
    expect(merged.map((w) => [w.id, w.status])).toEqual([
      ["w2", "online"],
      ["w1", "revoked"],
    ]);
  });

  it("adds a new worker", () => {
    expect(mergeWorker([], worker("w3", "gamma", "online"))).toHaveLength(1);
  });
});
