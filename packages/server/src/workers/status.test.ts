import { describe, expect, it } from "vitest";
import { deriveWorkerStatus, type PresenceTimes } from "./status.ts";

const now = new Date("2026-01-01T00:01:00.000Z");
const connected: PresenceTimes = {
  keyRevokedAt: null,
  connectedAt: "2026-01-01T00:00:00.000Z",
  disconnectedAt: null,
  stoppedAt: null,
  lastHeartbeatAt: "2026-01-01T00:00:50.000Z",
};

describe("deriveWorkerStatus", () => {
  it("is online while heartbeats arrive", () => {
    expect(deriveWorkerStatus(connected, now, 15_000)).toBe("online");
  });

  it("is offline after three missed intervals, and not before", () => {
    expect(
      deriveWorkerStatus({ ...connected, lastHeartbeatAt: "2026-01-01T00:00:15.000Z" }, now, 15_000),
    ).toBe("online");
    expect(
      deriveWorkerStatus({ ...connected, lastHeartbeatAt: "2026-01-01T00:00:14.999Z" }, now, 15_000),
    ).toBe("offline");
  });

  it("is offline as soon as the connection is lost", () => {
    expect(
      deriveWorkerStatus({ ...connected, disconnectedAt: "2026-01-01T00:00:55.000Z" }, now, 15_000),
    ).toBe("offline");
  });

  it("is stopped after a clean exit, and revoked above everything", () => {
    expect(deriveWorkerStatus({ ...connected, stoppedAt: "2026-01-01T00:00:55.000Z" }, now, 15_000)).toBe(
      "stopped",
    );
    expect(
      deriveWorkerStatus(
        { ...connected, stoppedAt: "2026-01-01T00:00:55.000Z", keyRevokedAt: "2026-01-01T00:00:56.000Z" },
        now,
        15_000,
      ),
    ).toBe("revoked");
  });
});
