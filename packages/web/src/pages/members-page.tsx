import type { CreatedInvitation, Member, Role, WorkspaceSummary } from "@cogno/protocol";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { describeError } from "../api/api-error.ts";
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

export function MembersPage({ workspace }: { workspace: WorkspaceSummary }) {
  usePageTitle(`Members · ${workspace.name}`);
  const api = useApi();
  const { me } = useSession();
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
  const [notice, setNotice] = useState<string | null>(null);
  const isAdmin = workspace.role !== "member";

  useEffect(() => {
    void loadMembers();
  }, [loadMembers]);

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
      {notice ? <Notice onDismiss={() => setNotice(null)}>{notice}</Notice> : null}
      {loadError ? <Notice tone="error">{loadError}</Notice> : null}
      {isAdmin ? <InviteForm workspaceId={workspace.id} /> : null}
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
                    <span className={`role role-${member.role}`}>{ROLE_LABELS[member.role]}</span>
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
            setNotice(`Removed ${removing.user.name}. Their API keys in this workspace were revoked.`);
            setMembers((current) => current?.filter((member) => member.user.id !== removing.user.id) ?? null);
            setRemoving(null);
            void loadMembers();
          }}
        />
      ) : null}
    </section>
  );
}

function InviteForm({ workspaceId }: { workspaceId: string }) {
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
