/** Invitation links: create, list, revoke, preview and accept (who may join: invitation-rules.ts). */
import type {
  CreatedInvitation,
  CreateInvitationBody,
  Invitation,
  InvitationPreview,
  PageQuery,
} from "@cogno/protocol";
import type { Transaction } from "kysely";
import type { UserActor } from "../audit/service.ts";
import { recordAudit } from "../audit/store.ts";
import { isoAt } from "../clock.ts";
import { randomToken, sha256Hex } from "../crypto.ts";
import type { Database } from "../db/schema.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { invitationTarget, userTarget } from "./audit-targets.ts";
import { decideInvitationUse } from "./invitation-rules.ts";
import {
  findInvitation,
  findInvitationInWorkspace,
  findPendingInvitationPreview,
  insertInvitation,
  listPendingInvitations,
  recordInvitationUse,
  revokeInvitations,
  wasRemovedByOthersSince,
} from "./invitation-store.ts";
import { canInvite } from "./roles.ts";
import { authorizeMember } from "./service.ts";
import { findRole, findWorkspace, insertMembershipIfAbsent, lockWorkspace, toWorkspace } from "./store.ts";

const INVITATION_DAYS = 7;

export async function createInvitation(
  deps: Deps,
  workspaceId: string,
  actor: UserActor,
  body: CreateInvitationBody,
): Promise<{ invitation: CreatedInvitation; token: string }> {
  await authorizeMember(deps, workspaceId, actor.id, "admin");
  const token = randomToken();
  const now = isoAt(deps.clock);
  const invitation: CreatedInvitation = {
    id: newId("inv"),
    role: body.role,
    expiresAt: isoAt(deps.clock, INVITATION_DAYS * 24 * 60 * 60 * 1000),
  };
  await deps.db.transaction().execute(async (trx) => {
    // Checked again under the lock a removal or role change takes: an admin being lowered or
    // removed at this moment cannot slip a new link past the revocation of their links.
    await lockWorkspace(trx, workspaceId);
    const role = await findRole(trx, workspaceId, actor.id);
    if (role === undefined || !canInvite(role)) {
      throw new AppError("forbidden", "Only workspace owners and admins can do this.");
    }
    await insertInvitation(trx, {
      id: invitation.id,
      workspace_id: workspaceId,
      token_hash: sha256Hex(token),
      role: invitation.role,
      created_by: actor.id,
      created_at: now,
      expires_at: invitation.expiresAt,
      accepted_by: null,
      accepted_at: null,
      revoked_at: null,
      revoked_by: null,
    });
    await recordAudit(trx, {
      workspaceId,
      at: now,
      action: "invitation.created",
      actor,
      target: invitationTarget(invitation),
      details: { role: invitation.role, expiresAt: invitation.expiresAt },
    });
  });
  return { invitation, token };
}

/** Pending invitations (not expired, not revoked), for owners and admins. */
export async function listInvitations(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor } & PageQuery,
): Promise<{ invitations: Invitation[]; nextCursor?: string }> {
  await authorizeMember(deps, input.workspaceId, input.actor.id, "admin");
  return listPendingInvitations(deps.db, { ...input, now: isoAt(deps.clock) });
}

/**
 * Withdraws a link: nobody joins by it any more. Revoking one that is already revoked (or expired)
 * answers the same and changes nothing, so a retried request is harmless.
 */
export async function revokeInvitation(
  deps: Deps,
  input: { workspaceId: string; actor: UserActor; invitationId: string },
): Promise<void> {
  await authorizeMember(deps, input.workspaceId, input.actor.id, "admin");
  const at = isoAt(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    const invitation = await findInvitationInWorkspace(trx, input.workspaceId, input.invitationId);
    if (!invitation) throw new AppError("not_found", "No such invitation in this workspace.");
    const revoked = await revokeInvitations(trx, {
      workspaceId: input.workspaceId,
      id: invitation.id,
      by: input.actor.id,
      at,
    });
    await recordAudit(
      trx,
      revoked.map((row) => ({
        workspaceId: input.workspaceId,
        at,
        action: "invitation.revoked" as const,
        actor: input.actor,
        target: invitationTarget(row),
        details: { reason: "revoked" },
      })),
    );
  });
}

const INVALID_LINK =
  "This invitation link is not valid: it has expired or was revoked. Ask a workspace admin for a new link.";

/** What a link joins, shown before accepting; no session needed (the link's secret is the proof). */
export async function previewInvitation(deps: Deps, token: string): Promise<InvitationPreview> {
  const preview = await findPendingInvitationPreview(deps.db, sha256Hex(token), isoAt(deps.clock));
  if (!preview) throw new AppError("not_found", INVALID_LINK);
  return preview;
}

/** Joins the signed-in user to the invitation's workspace (see invitation-rules.ts for who may). */
export async function acceptInvitation(deps: Deps, token: string, actor: UserActor) {
  const now = isoAt(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    const invitation = await findInvitation(trx, sha256Hex(token));
    if (!invitation) throw new AppError("not_found", INVALID_LINK);
    const currentRole = await findRole(trx, invitation.workspace_id, actor.id);
    let decision = decideInvitationUse(
      { role: invitation.role, expiresAt: invitation.expires_at, revokedAt: invitation.revoked_at },
      {
        currentRole,
        now,
        removedSinceLinkMade:
          currentRole === undefined &&
          (await wasRemovedByOthersSince(trx, {
            workspaceId: invitation.workspace_id,
            userId: actor.id,
            since: invitation.created_at,
          })),
      },
    );
    if (decision.kind === "refuse") throw new AppError("not_found", INVALID_LINK);
    if (decision.kind === "join") {
      // Guarded on the link being pending still: a revocation that got there first keeps them out.
      if (!(await recordInvitationUse(trx, invitation.id, actor.id, now))) {
        throw new AppError("not_found", INVALID_LINK);
      }
      const joined = await insertMembershipIfAbsent(
        trx,
        invitation.workspace_id,
        actor.id,
        decision.role,
        now,
      );
      if (joined) {
        await recordAudit(trx, {
          workspaceId: invitation.workspace_id,
          at: now,
          action: "member.joined",
          actor,
          target: userTarget(actor),
          details: { role: decision.role, invitationId: invitation.id },
        });
      } else {
        // Joined by another request a moment ago: answer the role they have.
        const role = await findRole(trx, invitation.workspace_id, actor.id);
        decision = { kind: "already_member", role: role ?? decision.role };
      }
    }
    const workspace = await findWorkspace(trx, invitation.workspace_id);
    if (!workspace) throw new AppError("not_found", "The workspace of this invitation no longer exists.");
    return { workspace: toWorkspace(workspace), role: decision.role };
  });
}

/** Revokes, inside `trx`, the links someone created here, with an audit entry for each. */
export async function revokeInvitationsCreatedBy(
  trx: Transaction<Database>,
  input: { workspaceId: string; creatorId: string; actor: UserActor; at: string; reason: string },
): Promise<void> {
  const revoked = await revokeInvitations(trx, {
    workspaceId: input.workspaceId,
    createdBy: input.creatorId,
    by: input.actor.id,
    at: input.at,
  });
  await recordAudit(
    trx,
    revoked.map((row) => ({
      workspaceId: input.workspaceId,
      at: input.at,
      action: "invitation.revoked" as const,
      actor: input.actor,
      target: invitationTarget(row),
      details: { reason: input.reason },
    })),
  );
}
