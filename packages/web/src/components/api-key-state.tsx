/** How a key's state reads in the list and on its page: revoked (and why), expiring soon, or fine. */
import type { ApiKey, RevokedReason } from "@cogno/protocol";
import { isNearExpiry } from "../lib/key-expiry.ts";
import { TimeAgo } from "./time-ago.tsx";

export const REVOKED_REASON_WORDS: Record<RevokedReason, string> = {
  revoked: "Revoked",
  expired: "Expired",
  leaked: "Revoked: reported leaked",
  member_removed: "Revoked: owner removed from the workspace",
  rolled: "Replaced by a roll",
};

export function RevokedBadge({ apiKey, now }: { apiKey: ApiKey; now: Date }) {
  if (apiKey.revokedAt === null) return null;
  const words = REVOKED_REASON_WORDS[apiKey.revokedReason ?? "revoked"];
  return (
    <span className={`badge badge-revoked${apiKey.revokedReason === "leaked" ? " badge-leaked" : ""}`}>
      {words} <TimeAgo iso={apiKey.revokedAt} now={now} />
    </span>
  );
}

/** The expiry cell: never, or when, flagged within 7 days. */
export function ExpiryCell({ apiKey, now }: { apiKey: ApiKey; now: Date }) {
  if (apiKey.revokedAt !== null) return <span className="muted">—</span>;
  if (apiKey.expiresAt === null) return <span className="muted">never</span>;
  return (
    <>
      <TimeAgo iso={apiKey.expiresAt} now={now} />
      {isNearExpiry(apiKey, now) ? (
        <>
          {" "}
          <span className="badge badge-warning">Expires soon</span>
        </>
      ) : null}
    </>
  );
}

/** "2 minutes ago from 203.0.113.7": where the key was last used, beside when. */
export function LastUsedCell({ apiKey, now }: { apiKey: ApiKey; now: Date }) {
  return (
    <>
      <TimeAgo iso={apiKey.lastUsedAt} now={now} fallback="never" />
      {apiKey.lastUsedAt !== null && apiKey.lastUsedIp !== null ? (
        <span className="muted last-used-ip">
          {" "}
          from <span className="mono">{apiKey.lastUsedIp}</span>
        </span>
      ) : null}
    </>
  );
}
