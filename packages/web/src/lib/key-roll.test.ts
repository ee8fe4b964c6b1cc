import type { Worker } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { workersStillOnOldKey } from "./key-roll.ts";

const rolledAt = "2026-06-15T12:00:00.000Z";

function worker(id: string, patch: Partial<Worker>): Worker {
  return {
    id,
    name: id,
    hostname: id,
    os: "linux",
    arch: "x64",
    version: "1.1.0",
    status: "offline",
    apiKey: { id: "key_old", name: "ci", prefix: "cogno_wk_abcd" },
    registeredAt: "2026-06-01T00:00:00.000Z",
    connectedAt: null,
    lastHeartbeatAt: null,
    lastIp: null,
    ...patch,
  };
}

describe("workersStillOnOldKey", () => {
  it("counts workers connected with the old key, or that used it since the roll", () => {
    const still = workersStillOnOldKey(
      [
        worker("online", { status: "online", lastHeartbeatAt: "2026-06-15T11:00:00.000Z" }),
        worker("used-after", { lastHeartbeatAt: "2026-06-15T12:00:05.000Z" }),
        worker("asleep-before", { lastHeartbeatAt: "2026-06-15T11:59:00.000Z" }),
        worker("moved", {
          status: "online",
          apiKey: { id: "key_new", name: "ci", prefix: "cogno_wk_efgh" },
        }),
        worker("never", {}),
      ],
      "key_old",
      rolledAt,
    );
    expect(still.map((one) => one.id)).toEqual(["online", "used-after"]);
  });

  it("is empty once every machine moved or went quiet before the roll: safe to revoke", () => {
    expect(
      workersStillOnOldKey(
        [worker("asleep", { lastHeartbeatAt: "2026-06-01T00:00:00.000Z" })],
        "key_old",
        rolledAt,
      ),
    ).toEqual([]);
  });
});
