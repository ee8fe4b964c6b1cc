/**
 * Key expiry, written down. A key is refused from the moment its expiry passes, on every replica,
 * whether or not anything has been written (store.ts derives it; the gateway's own timers cut its
 * sockets on time). This sweep makes it durable and visible: it marks the key revoked at its expiry
 * (reason "expired", or "rolled" when a roll set the expiry), records `api_key.expired` by the
 * system, logs and announces the change (which clears caches everywhere: the safety net behind the
 * gateway's timers) and tells open pages.
 *
 * Every replica sweeps every few seconds; the conditional UPDATE … RETURNING decides which replica
 * materialises each key, so each expiry is recorded exactly once.
 */
import { recordAudit, SYSTEM_ACTOR } from "../audit/store.ts";
import { isoAt } from "../clock.ts";
import type { Deps } from "../deps.ts";
import { recordKeyChange } from "../events/key-change-log.ts";
import type { KeyChange } from "../events/key-changes.ts";
import { announceCommitted } from "./after-commit.ts";
import { type ExpiredKey, expireDueKeys, hasDueExpiries } from "./life-cycle-store.ts";

export const EXPIRY_SWEEP_EVERY_MS = 2_000;

/** Keys marked per transaction: a burst of expiries is written in several. */
export const EXPIRY_BATCH = 500;

/** Marks the keys whose expiry has passed; returns those this call marked (none if another replica did). */
export async function sweepExpiredKeys(deps: Deps, batchSize = EXPIRY_BATCH): Promise<ExpiredKey[]> {
  const now = isoAt(deps.clock);
  // Most sweeps find nothing: an indexed read, no write, no transaction.
  if (!(await hasDueExpiries(deps.db, now))) return [];
  const swept: ExpiredKey[] = [];
  for (;;) {
    const batch = await expireBatch(deps, now, batchSize);
    swept.push(...batch);
    // A short batch: nothing left, or another replica is marking the rest.
    if (batch.length < batchSize) return swept;
  }
}

async function expireBatch(deps: Deps, now: string, batchSize: number): Promise<ExpiredKey[]> {
  const { expired, changes } = await deps.db.transaction().execute(async (trx) => {
    const marked = await expireDueKeys(trx, now, batchSize);
    const logged: KeyChange[] = [];
    if (marked.length === 0) return { expired: marked, changes: logged };
    await recordAudit(
      trx,
      marked.map((key) => ({
        workspaceId: key.workspaceId,
        at: key.expiresAt,
        action: "api_key.expired" as const,
        actor: SYSTEM_ACTOR,
        target: { type: "api_key" as const, id: key.id, name: key.name },
        details: { prefix: key.prefix, reason: key.reason },
      })),
    );
    for (const reason of ["expired", "rolled"] as const) {
      const keyIds = marked.filter((key) => key.reason === reason).map((key) => key.id);
      if (keyIds.length > 0)
        logged.push(await recordKeyChange(trx, { keyIds, change: "revoked", reason, at: now }));
    }
    return { expired: marked, changes: logged };
  });
  for (const change of changes) await announceCommitted(deps, change, []);
  await announceCommitted(
    deps,
    undefined,
    expired.map((key) => ({ type: "api_key.revoked" as const, workspaceId: key.workspaceId, keyId: key.id })),
  );
  return expired;
}

export interface ExpirySweep {
  /** Stops the timer and waits for a sweep under way, so the database can close after it. */
  stop(): Promise<void>;
}

/** Sweeps every `everyMs` on this replica; one sweep at a time. */
export function startExpirySweep(deps: Deps, everyMs = EXPIRY_SWEEP_EVERY_MS): ExpirySweep {
  let running: Promise<void> | undefined;
  const sweep = (): void => {
    if (running !== undefined) return;
    running = sweepExpiredKeys(deps)
      .then((expired) => {
        if (expired.length > 0)
          deps.log.info(
            { keys: expired.map((key) => ({ id: key.id, prefix: key.prefix, reason: key.reason })) },
            "expired keys marked revoked",
          );
      })
      .catch((error: unknown) => deps.log.error({ err: error }, "expiry sweep failed; it runs again shortly"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
