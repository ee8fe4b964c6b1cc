import { describe, expect, it } from "vitest";
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  nextStatusChangeAt,
  type PresenceTimes,
  readHeartbeatInterval,
  statusAt,
} from "./worker-presence.ts";

const INTERVAL = 15_000;
const at = (seconds: number) => new Date(Date.UTC(2026, 5, 1, 12, 0, seconds));
const online = (lastHeartbeatSecond: number | null, connectedSecond = 0): PresenceTimes => ({
  status: "online",
  connectedAt: at(connectedSecond).toISOString(),
  lastHeartbeatAt: lastHeartbeatSecond === null ? null : at(lastHeartbeatSecond).toISOString(),
});

describe("statusAt", () => {
  it("keeps an online worker online up to 3 intervals after its last heartbeat, the server's rule", () => {
    expect(statusAt(online(10), at(10), INTERVAL)).toBe("online");
    expect(statusAt(online(10), at(55), INTERVAL)).toBe("online");
  });

  it("regression: a frozen worker shows offline 3 intervals after its last heartbeat, not online 54 s on", () => {
    expect(statusAt(online(10), new Date(at(55).getTime() + 1), INTERVAL)).toBe("offline");
    expect(statusAt(online(0), at(54), INTERVAL)).toBe("offline");
  });

  it("counts from the connection when no heartbeat has arrived yet", () => {
    expect(statusAt(online(null, 20), at(65), INTERVAL)).toBe("online");
    expect(statusAt(online(null, 20), at(66), INTERVAL)).toBe("offline");
  });

  it("follows the server's interval", () => {
    expect(statusAt(online(0), at(59), 20_000)).toBe("online");
    expect(statusAt(online(0), at(61), 20_000)).toBe("offline");
  });

  it("leaves every other status as the server gave it", () => {
    for (const status of ["offline", "stopped", "revoked"] as const) {
      expect(statusAt({ ...online(0), status }, at(0), INTERVAL)).toBe(status);
      expect(statusAt({ ...online(0), status }, at(59 * 60), INTERVAL)).toBe(status);
    }
  });

  it("trusts the server when the times cannot be read", () => {
    expect(statusAt({ status: "online", connectedAt: null, lastHeartbeatAt: null }, at(59), INTERVAL)).toBe(
      "online",
    );
  });
});

describe("nextStatusChangeAt", () => {
  it("is just past the earliest deadline of a worker still shown online", () => {
    const workers = [online(30), online(10), { ...online(0), status: "stopped" as const }];
    expect(nextStatusChangeAt(workers, at(20), INTERVAL)).toBe(at(55).getTime() + 1);
  });

  it("skips deadlines already passed, and is null when nothing will change", () => {
    expect(nextStatusChangeAt([online(0), online(30)], at(50), INTERVAL)).toBe(at(75).getTime() + 1);
    expect(nextStatusChangeAt([online(0)], at(50), INTERVAL)).toBeNull();
    expect(nextStatusChangeAt([], at(0), INTERVAL)).toBeNull();
  });
});

describe("readHeartbeatInterval", () => {
  it("reads the server's interval and falls back to 15 s when it is missing or nonsense", () => {
    expect(readHeartbeatInterval(2_000)).toBe(2_000);
    for (const value of [undefined, null, "15000", 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(readHeartbeatInterval(value)).toBe(DEFAULT_HEARTBEAT_INTERVAL_MS);
    }
  });
});
