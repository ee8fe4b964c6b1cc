import type { CreatedInvitation, Invitation, Member, Role, WorkspaceSummary } from "@cogno/protocol";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { CopyButton } from "../components/copy-button.tsx";
import { Notice } from "../components/notice.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { RemoveMemberDialog } from "../components/remove-member-dialog.tsx";
import { useApi, useSession } from "../components/session.tsx";
import { SettingsPageHeader } from "../components/settings-page-header.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { useReloadable } from "../components/use-reloadable.ts";
import { formatExactTime } from "../lib/relative-time.ts";
import { buildPath } from "../lib/route-match.ts";

const ROLE_LABELS: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };

/** Who may remove whom: admins and owners remove others, never an owner, never themselves here. */
function canRemove(viewer: WorkspaceSummary, viewerId: string, member: Member): boolean {
  return viewer.role !== "member" && member.role !== "owner" && member.user.id !== viewerId;
}

/**
 * The roles a viewer may give a member (API.md v1.1): owners any role to anyone (the server keeps
 * the last owner); admins member or admin to non-owners; members nothing.
 */
export function assignableRoles(viewerRole: Role, member: Member): readonly Role[] {
  if (viewerRole === "owner") return ["owner", "admin", "member"];
  if (viewerRole === "admin" && member.role !== "owner") return ["admin", "member"];
  return [];
}

export function MembersPage({ workspace }: { workspace: WorkspaceSummary }) {
  usePageTitle(`Members · ${workspace.name}`);
  const api = useApi();
  const session = useSession();
  const { me } = session;
  const now = useNow();
  const readMembers = useCallback(
    async () => (await api.listMembers(workspace.id)).members,
    [api, workspace.id],
  );
  const {
    data: members,
    setData: setMembers,
    loadError,
    loading,
    reload: loadMembers,
  } = useReloadable(readMembers);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [changingRole, setChangingRole] = useState<string | null>(null);
  const isAdmin = workspace.role !== "member";

  const refreshMe = session.refreshMe;
  const readInvitations = useCallback(async () => {
    if (!isAdmin) return [];
    try {
      return (await api.listInvitations(workspace.id)).invitations;
    } catch (caught) {
      // The role this page was drawn with is out of date (lowered in another tab or by an owner):
      // re-read it, and the page redraws as a member's.
      if (isApiError(caught, "forbidden")) {
        await refreshMe();
        return [];
      }
      throw caught;
    }
  }, [api, workspace.id, isAdmin, refreshMe]);
  const invitations = useReloadable(readInvitations);
  const reloadInvitations = invitations.reload;

  useEffect(() => {
    void loadMembers();
    void reloadInvitations();
  }, [loadMembers, reloadInvitations]);

  const changeRole = async (member: Member, role: Role) => {
    setChangingRole(member.user.id);
    setNotice(null);
    try {
      const { member: changed } = await api.changeMemberRole(workspace.id, member.user.id, { role });
      setMembers(
        (current) => current?.map((one) => (one.user.id === changed.user.id ? changed : one)) ?? null,
      );
      setNotice({
        tone: "success",
        text: `${changed.user.name} is now ${ROLE_LABELS[changed.role].toLowerCase()}.`,
      });
      // Lowering oneself changes what this page may show; an admin lowered also loses their links.
      if (changed.user.id === me.user.id) await session.refreshMe();
      void reloadInvitations();
    } catch (caught) {
      const text = isApiError(caught, "conflict")
        ? `${caught.message} Make someone else an owner first.`
        : describeError(caught);
      setNotice({ tone: "error", text });
    } finally {
      setChangingRole(null);
    }
  };

  return (
    <section aria-labelledby="members-heading">
      <SettingsPageHeader
        headingId="members-heading"
        title="Members"
        description={
          <>
            People in <strong>{workspace.name}</strong>. Owners and admins see and revoke every key; members
            see their own.
          </>
        }
      />
      {notice ? (
        <Notice tone={notice.tone} onDismiss={() => setNotice(null)}>
          {notice.text}
        </Notice>
      ) : null}
      {loadError ? <Notice tone="error">{loadError}</Notice> : null}
      {isAdmin ? <InviteForm workspaceId={workspace.id} onCreated={() => void reloadInvitations()} /> : null}
      {isAdmin ? (
        <PendingInvitations
          workspaceId={workspace.id}
          invitations={invitations.data}
          loadError={invitations.loadError}
          onRevoked={(invitation) => {
            invitations.setData((current) => current?.filter((one) => one.id !== invitation.id) ?? null);
            setNotice({ tone: "success", text: "Invitation link revoked: it no longer lets anyone join." });
          }}
        />
      ) : null}
      {loading ? <p className="muted">Loading members…</p> : null}
      {members !== null ? (
        <div className="table-scroll">
          <table className="data-table responsive" aria-label="Members">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={member.user.id}>
                  <th scope="row" data-label="Name">
                    {member.user.name}
                    {member.user.id === me.user.id ? <span className="muted"> (you)</span> : null}
                  </th>
                  <td data-label="Email">{member.user.email}</td>
                  <td data-label="Role">
                    <RoleCell
                      member={member}
                      roles={assignableRoles(workspace.role, member)}
                      pending={changingRole === member.user.id}
                      onChange={(role) => void changeRole(member, role)}
                    />
                  </td>
                  <td data-label="Joined">
                    <TimeAgo iso={member.joinedAt} now={now} />
                  </td>
                  <td data-label="Actions" className="actions">
                    {canRemove(workspace, me.user.id, member) ? (
                      <button
                        type="button"
                        className="button danger small"
                        aria-label={`Remove ${member.user.name}`}
                        onClick={() => setRemoving(member)}
                      >
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {removing ? (
        <RemoveMemberDialog
          workspaceId={workspace.id}
          workspaceName={workspace.name}
          member={removing}
          onDismiss={() => setRemoving(null)}
          onRemoved={() => {
            setNotice({
              tone: "success",
              text: `Removed ${removing.user.name}. Their API keys in this workspace were revoked.`,
            });
            setMembers((current) => current?.filter((member) => member.user.id !== removing.user.id) ?? null);
            setRemoving(null);
            void loadMembers();
            void reloadInvitations();
          }}
        />
      ) : null}
    </section>
  );
}

function RoleCell({
  member,
  roles,
  pending,
  onChange,
}: {
  member: Member;
  roles: readonly Role[];
  pending: boolean;
  onChange: (role: Role) => void;
}) {
  if (roles.length === 0)
    return <span className={`role role-${member.role}`}>{ROLE_LABELS[member.role]}</span>;
  return (
    <select
      className="role-select"
      aria-label={`Role of ${member.user.name}`}
      value={member.role}
      disabled={pending}
      onChange={(event) => {
        const role = roles.find((candidate) => candidate === event.target.value);
        if (role !== undefined && role !== member.role) onChange(role);
      }}
    >
      {roles.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}

/** Links not yet expired or revoked; anyone holding one can still join, so each can be revoked. */
function PendingInvitations({
  workspaceId,
  invitations,
  loadError,
  onRevoked,
}: {
  workspaceId: string;
  invitations: Invitation[] | null;
  loadError: string | null;
  onRevoked: (invitation: Invitation) => void;
}) {
  const api = useApi();
  const now = useNow();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  return (
    <div className="panel">
      <h2 id="pending-invitations-heading">Pending invitations</h2>
      {loadError ? <p className="field-error">{loadError}</p> : null}
      {invitations !== null && invitations.length === 0 ? (
        <p className="muted">No invitation link is pending.</p>
      ) : null}
      {invitations !== null && invitations.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table responsive" aria-labelledby="pending-invitations-heading">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Created by</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id}>
                  <th scope="row" data-label="Role">
                    {ROLE_LABELS[invitation.role]}
                  </th>
                  <td data-label="Created by">
                    <span title={invitation.createdBy.email}>{invitation.createdBy.name}</span>
                  </td>
                  <td data-label="Created">
                    <TimeAgo iso={invitation.createdAt} now={now} />
                  </td>
                  <td data-label="Expires">
                    <TimeAgo iso={invitation.expiresAt} now={now} />
                  </td>
                  <td data-label="Actions" className="actions">
                    <button
                      type="button"
                      className="button danger small"
                      aria-label={`Revoke the ${ROLE_LABELS[invitation.role].toLowerCase()} invitation by ${invitation.createdBy.name}, created ${formatExactTime(new Date(invitation.createdAt))}`}
                      onClick={() => setRevoking(invitation)}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title="Revoke this invitation link?"
          describedBy="revoke-invitation-warning"
          confirmLabel="Revoke link"
          pendingLabel="Revoking…"
          onConfirm={async () => {
            await api.revokeInvitation(workspaceId, revoking.id);
            onRevoked(revoking);
            setRevoking(null);
          }}
          onDismiss={() => setRevoking(null)}
        >
          <p id="revoke-invitation-warning">
            The {ROLE_LABELS[revoking.role].toLowerCase()} link created by {revoking.createdBy.name} stops
            working at once: whoever opens it is told it is not valid. People who already joined stay members.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function InviteForm({ workspaceId, onCreated }: { workspaceId: string; onCreated: () => void }) {
  const api = useApi();
  const now = useNow();
  const roleId = useId();
  const [role, setRole] = useState<"admin" | "member">("member");
  const [created, setCreated] = useState<{ invitation: CreatedInvitation; link: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setPending(true);
    try {
      const { invitation, token } = await api.createInvitation(workspaceId, { role });
      setCreated({ invitation, link: `${window.location.origin}${buildPath("invite", token)}` });
      onCreated();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setPending(false);
    }
  };

  return (
    <div className="panel">
      <h2>Invite by link</h2>
      <form className="inline-form" onSubmit={(event) => void handleSubmit(event)}>
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select
            id={roleId}
            value={role}
            onChange={(event) => setRole(event.target.value === "admin" ? "admin" : "member")}
          >
            <option value="member">Member: sees and revokes their own keys</option>
            <option value="admin">Admin: sees and revokes every key, manages members</option>
          </select>
        </div>
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? "Creating link…" : "Create invite link"}
        </button>
      </form>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {created ? (
        <div className="invite-result" role="status">
          <label htmlFor="invite-link">Invitation link ({ROLE_LABELS[created.invitation.role]})</label>
          <div className="raw-key-row">
            <input
              id="invite-link"
              className="mono"
              readOnly
              value={created.link}
              onFocus={(event) => event.currentTarget.select()}
            />
            <CopyButton text={created.link} accessibleLabel="Copy invitation link" />
          </div>
          <p className="small-text">
            Anyone with this link can join as {ROLE_LABELS[created.invitation.role].toLowerCase()} until it
            expires, <TimeAgo iso={created.invitation.expiresAt} now={now} /> (
            {formatExactTime(new Date(created.invitation.expiresAt))}
            ). It is shown only now; send it privately.
          </p>
        </div>
      ) : null}
    </div>
  );
}
