/**
 * Browser login for the CLI (RFC 8628 device authorization; API.md v1.1): the CLI asks for codes,
 * a signed-in person approves the user code in the browser (which makes a key named after the
 * machine, counting toward their 25), and the CLI's next poll gets that key, once.
 * Decisions: poll-rules.ts; codes: codes.ts; the key at rest: seal.ts; rows: store.ts.
 */
import type { ApiKey, DeviceAuthorization, DeviceToken, User } from "@cogno/protocol";
import { createApiKey } from "../apikeys/service.ts";
import { findApiKeysByIds } from "../apikeys/store.ts";
import { isoAt } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { authorizeMember } from "../workspaces/service.ts";
import { findWorkspace } from "../workspaces/store.ts";
import { formatUserCode, generateDeviceCode, generateUserCode, normalizeUserCode } from "./codes.ts";
import { decidePoll } from "./poll-rules.ts";
import { seal, sealingPublicKeyOf, unseal } from "./seal.ts";
import {
  claimForApproval,
  deleteDeviceAuthorizationsExpiredBefore,
  findByDeviceCodeHash,
  findUndecided,
  insertDeviceAuthorization,
  markApproved,
  markDenied,
  recordPoll,
  releaseClaim,
  takeSealedKey,
} from "./store.ts";

/** How long a login waits for a decision (RFC 8628 `expires_in`). */
export const DEVICE_CODE_LIFETIME_SECONDS = 600;
/** The least time between polls (RFC 8628 `interval`). */
export const POLL_INTERVAL_SECONDS = 5;
/** Ended authorizations are kept this long (a late poll still gets expired_token), then forgotten. */
const KEEP_ENDED_MS = 24 * 60 * 60 * 1000;
const USER_CODE_DRAWS = 5;

const NO_SUCH_LOGIN =
  "No login is waiting for this code: it may have expired or been answered already. Run cogno login again for a new code.";

export async function startDeviceAuthorization(
  deps: Deps,
  input: { clientName: string; clientIp: string | null; verificationUri: string },
): Promise<DeviceAuthorization> {
  const now = deps.clock.now();
  await deleteDeviceAuthorizationsExpiredBefore(
    deps.db,
    new Date(now.getTime() - KEEP_ENDED_MS).toISOString(),
  );
  const deviceCode = generateDeviceCode();
  for (let draw = 0; draw < USER_CODE_DRAWS; draw++) {
    const userCode = generateUserCode();
    const inserted = await insertDeviceAuthorization(deps.db, {
      id: newId("dev"),
      device_code_hash: sha256Hex(deviceCode),
      user_code_hash: sha256Hex(userCode),
      client_name: input.clientName,
      client_ip: input.clientIp,
      created_at: now.toISOString(),
      expires_at: isoAt(deps.clock, DEVICE_CODE_LIFETIME_SECONDS * 1000),
      interval_seconds: POLL_INTERVAL_SECONDS,
      last_polled_at: null,
      status: "pending",
      decided_by: null,
      workspace_id: null,
      api_key_id: null,
      sealed_key: null,
      seal_public_key: sealingPublicKeyOf(deviceCode),
    });
    if (inserted) {
      const shown = formatUserCode(userCode);
      return {
        deviceCode,
        userCode: shown,
        verificationUri: input.verificationUri,
        verificationUriComplete: `${input.verificationUri}?code=${shown}`,
        expiresIn: DEVICE_CODE_LIFETIME_SECONDS,
        interval: POLL_INTERVAL_SECONDS,
      };
    }
  }
  throw new AppError("internal_error", "Could not draw a free login code. Try again.");
}

/**
 * One poll of the token endpoint: the key once approved (then never again), else a 400 code of
 * RFC 8628 §3.5. A poll sooner than the interval lengthens the interval by 5 seconds.
 */
export async function pollDeviceToken(deps: Deps, deviceCode: string): Promise<DeviceToken> {
  const row = await findByDeviceCodeHash(deps.db, sha256Hex(deviceCode));
  const now = deps.clock.now();
  const decision = decidePoll(
    row && {
      status: row.status,
      expiresAt: row.expires_at,
      lastPolledAt: row.last_polled_at,
      intervalSeconds: row.interval_seconds,
    },
    now,
  );
  if (row === undefined || decision.kind === "expired_token") throw new AppError("expired_token");
  await recordPoll(deps.db, {
    id: row.id,
    at: now.toISOString(),
    intervalSeconds: decision.kind === "slow_down" ? decision.intervalSeconds : row.interval_seconds,
  });
  if (decision.kind !== "issue") throw new AppError(decision.kind);

  const taken = await takeSealedKey(deps.db, { id: row.id, now: now.toISOString() }, (sealedKey, ids) => {
    const key = unseal(sealedKey, deviceCode, row.id);
    // Cannot happen with the code that was hashed to find the row, short of a damaged row: the
    // transaction rolls back and the key stays sealed.
    if (key === undefined) throw new Error("the sealed key of a device authorization did not open");
    return { key, ...ids };
  });
  // Another poll with the same code took it a moment ago.
  if (taken === undefined) throw new AppError("expired_token");
  const [apiKey] = await findApiKeysByIds(deps.db, [taken.apiKeyId], now.toISOString());
  const workspace = await findWorkspace(deps.db, taken.workspaceId);
  if (!apiKey || !workspace) throw new AppError("expired_token");
  return { key: taken.key, apiKey, workspace: { id: workspace.id, name: workspace.name } };
}

function userCodeHashOf(typed: string): string {
  const code = normalizeUserCode(typed);
  if (code === undefined) {
    throw new AppError(
      "validation_failed",
      "Invalid userCode. Enter the 8 letters cogno login printed, like BCDF-GHJK.",
    );
  }
  return sha256Hex(code);
}

/** The machine asking, for the approval page: only while the login waits for a decision. */
export async function previewDeviceAuthorization(
  deps: Deps,
  userCode: string,
): Promise<{ clientName: string; expiresAt: string }> {
  const row = await findUndecided(deps.db, userCodeHashOf(userCode), isoAt(deps.clock));
  if (!row) throw new AppError("not_found", NO_SUCH_LOGIN);
  return { clientName: row.client_name, expiresAt: row.expires_at };
}

/**
 * Approves a login into a workspace the person is a member of: a key named after the machine is
 * made for them now (apikeys/service.ts createApiKey: the 25-key limit applies), sealed for the
 * CLI, and the login claimed first, so a deny or a second approval cannot race it.
 */
export async function approveDeviceAuthorization(
  deps: Deps,
  input: { actor: User; userCode: string; workspaceId: string },
): Promise<{ apiKey: ApiKey }> {
  const userCodeHash = userCodeHashOf(input.userCode);
  await authorizeMember(deps, input.workspaceId, input.actor.id);
  const row = await findUndecided(deps.db, userCodeHash, isoAt(deps.clock));
  if (!row?.seal_public_key) throw new AppError("not_found", NO_SUCH_LOGIN);
  if (!(await claimForApproval(deps.db, { id: row.id, userId: input.actor.id, now: isoAt(deps.clock) }))) {
    throw new AppError("not_found", NO_SUCH_LOGIN);
  }
  let created: Awaited<ReturnType<typeof createApiKey>>;
  try {
    created = await createApiKey(deps, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      name: row.client_name,
    });
  } catch (error) {
    await releaseClaim(deps.db, { id: row.id, userId: input.actor.id });
    throw error;
  }
  const approved = await markApproved(deps.db, {
    id: row.id,
    userId: input.actor.id,
    workspaceId: input.workspaceId,
    apiKeyId: created.apiKey.id,
    sealedKey: seal(created.key, row.seal_public_key, row.id),
  });
  if (!approved)
    throw new AppError("internal_error", "The login could not be approved. Run cogno login again.");
  return { apiKey: created.apiKey };
}

export async function denyDeviceAuthorization(
  deps: Deps,
  input: { actor: User; userCode: string },
): Promise<void> {
  const denied = await markDenied(deps.db, {
    userCodeHash: userCodeHashOf(input.userCode),
    userId: input.actor.id,
    now: isoAt(deps.clock),
  });
  if (!denied) throw new AppError("not_found", NO_SUCH_LOGIN);
}
