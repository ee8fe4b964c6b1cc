/**
 * During a roll's grace window, which machines still use the old key (API.md v1.1, SPEC "Keys have
 * a life cycle"). A worker that logged in with the new key moves to it and leaves the old key's
 * `recentWorkers`; one still on the old key either is connected with it now or has used it since
 * the roll. Once none is, revoking the old key cuts nobody off.
 */
import type { Worker } from "@cogno/protocol";

export function workersStillOnOldKey(
  recentWorkers: readonly Worker[],
  keyId: string,
  rolledAt: string,
): Worker[] {
  const rolled = Date.parse(rolledAt);
  return recentWorkers.filter((worker) => {
    if (worker.apiKey.id !== keyId) return false;
    if (worker.status === "online") return true;
    const lastSign = Date.parse(worker.lastHeartbeatAt ?? worker.connectedAt ?? "");
    return !Number.isNaN(lastSign) && lastSign >= rolled;
  });
}
