/**
 * Leaked-key reports (API.md v1.1), in the format of GitHub's secret-scanning partner program: a
 * reported token that is a Cogno key is revoked at once (reason "leaked"), on every replica before
 * the answer, and the key's page says where it was found. Whoever holds a key may have it revoked,
 * so a report needs no session; the answer's labels tell the scanner which findings were real.
 *
 * Reported tokens are secrets, possibly of other services: they are hashed at once and never
 * logged or stored; only their SHA-256 travels further (as the answer's `token_hash`).
 */
import {
  type LeakedKeyReport,
  type LeakedKeyResponse,
  parseApiKey,
  stripControlCharacters,
} from "@cogno/protocol";
import { type RequestOrigin, reporterActor } from "../audit/service.ts";
import { type NewAuditEntry, recordAudit } from "../audit/store.ts";
import { isoAt } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import type { Deps } from "../deps.ts";
import { announceCommitted } from "./after-commit.ts";
import { recordLeakReport } from "./life-cycle-store.ts";
import { findKeysByHashes, revokeKeys } from "./store.ts";

export async function reportLeakedKeys(
  deps: Deps,
  report: LeakedKeyReport,
  origin: RequestOrigin,
): Promise<LeakedKeyResponse> {
  const at = isoAt(deps.clock);
  const findings = report.map((item) => ({
    tokenHash: sha256Hex(item.token),
    // The checksum tells a Cogno key from a look-alike without a database look-up.
    isCognoKey: parseApiKey(item.token).ok,
    type: item.type,
    url: stripControlCharacters(item.url),
    source: stripControlCharacters(item.source),
  }));
  const known = await findKeysByHashes(deps.db, [
    ...new Set(findings.filter((finding) => finding.isCognoKey).map((finding) => finding.tokenHash)),
  ]);

  const change =
    known.size === 0
      ? undefined
      : await deps.db.transaction().execute(async (trx) => {
          const entries = new Map<string, NewAuditEntry>();
          for (const finding of findings) {
            const key = known.get(finding.tokenHash);
            if (key === undefined) continue;
            await recordLeakReport(trx, { keyId: key.id, url: finding.url, source: finding.source, at });
            // One entry per key and place: a report that names the same finding twice records it once.
            entries.set(`${key.id} ${finding.url} ${finding.source}`, {
              workspaceId: key.workspaceId,
              at,
              action: "api_key.reported_leaked",
              actor: reporterActor(origin),
              target: { type: "api_key", id: key.id, name: key.name },
              details: { url: finding.url, source: finding.source },
            });
          }
          await recordAudit(trx, [...entries.values()]);
          // A key revoked before keeps its first revocation: only active keys change here.
          return revokeKeys(trx, {
            keyIds: [...known.values()].map((key) => key.id),
            by: null,
            reason: "leaked",
            at,
          });
        });

  if (change !== undefined) {
    const revoked = [...known.values()].filter((key) => change.keyIds.includes(key.id));
    deps.log.warn(
      { keys: revoked.map((key) => ({ id: key.id, prefix: key.prefix })) },
      "keys reported leaked were revoked",
    );
    await announceCommitted(
      deps,
      change,
      revoked.map((key) => ({
        type: "api_key.revoked" as const,
        workspaceId: key.workspaceId,
        keyId: key.id,
      })),
    );
  }
  return findings.map((finding) => ({
    token_hash: finding.tokenHash,
    token_type: finding.type,
    label: known.has(finding.tokenHash) ? "true_positive" : "false_positive",
  }));
}
