import type { InvitationPreview, Role } from "@cogno/protocol";
import { useCallback, useEffect } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { settingsPath } from "../components/app-shell.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { Link, navigate } from "../components/router.tsx";
import { useApi, useOptionalSession } from "../components/session.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { usePendingAction } from "../components/use-pending-action.ts";
import { useReloadable } from "../components/use-reloadable.ts";
import { formatExactTime } from "../lib/relative-time.ts";

const DEAD_LINK =
  "This invitation link is not valid: it has expired or was revoked. Ask an admin of the workspace for a new link.";

const ROLE_WORDS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin: sees and revokes every key, manages members",
  member: "Member: creates and revokes their own keys",
};

/**
 * The invitee's page: what the link joins (workspace, inviter, role, expiry) read before anything
 * else, so a dead link says so at once instead of at Accept. Then accept when signed in, else sign
 * in or sign up and come straight back.
 */
export function InvitationPage({ token, path }: { token: string; path: string }) {
  usePageTitle("Invitation");
  const api = useApi();
  const session = useOptionalSession();
  const now = useNow();
  const readPreview = useCallback(async (): Promise<InvitationPreview | "dead"> => {
    try {
      return await api.previewInvitation(token);
    } catch (caught) {
      if (isApiError(caught, "not_found")) return "dead";
      throw caught;
    }
  }, [api, token]);
  const preview = useReloadable(readPreview);
  const reloadPreview = preview.reload;
  useEffect(() => {
    void reloadPreview();
  }, [reloadPreview]);

  const { pending, error, run } = usePendingAction((caught) =>
    isApiError(caught, "not_found") ? DEAD_LINK : describeError(caught),
  );

  const handleAccept = () =>
    run(async () => {
      const { workspace } = await api.acceptInvitation(token);
      await session?.refreshMe();
      navigate(settingsPath(workspace.id, "api-keys"));
    });

  const next = encodeURIComponent(path);
  if (preview.data === "dead") {
    return (
      <div className="auth-card">
        <h1 tabIndex={-1}>This invitation link is not valid</h1>
        <p role="alert">{DEAD_LINK}</p>
        <Link className="button secondary" to="/">
          Go to Cogno
        </Link>
      </div>
    );
  }
  const invitation = preview.data;
  return (
    <div className="auth-card">
      <h1 tabIndex={-1}>
        {invitation ? `Join ${invitation.workspace.name} on Cogno` : "You are invited to a Cogno workspace"}
      </h1>
      {preview.loadError ? (
        <p className="field-error" role="alert">
          {preview.loadError}
        </p>
      ) : null}
      {invitation ? (
        <dl className="invitation-facts" aria-label="Invitation">
          <dt>Workspace</dt>
          <dd>{invitation.workspace.name}</dd>
          <dt>Invited by</dt>
          <dd>{invitation.invitedBy.name}</dd>
          <dt>Role</dt>
          <dd>{ROLE_WORDS[invitation.role]}</dd>
          <dt>Link expires</dt>
          <dd>
            <TimeAgo iso={invitation.expiresAt} now={now} /> (
            {formatExactTime(new Date(invitation.expiresAt))})
          </dd>
        </dl>
      ) : (
        <p className="muted">Reading the invitation…</p>
      )}
      {session ? (
        <>
          <p>
            Signed in as <strong>{session.me.user.name}</strong> ({session.me.user.email}).
          </p>
          {error ? (
            <p className="field-error" role="alert">
              {error}
            </p>
          ) : null}
          <button
            type="button"
            className="button primary wide"
            onClick={() => void handleAccept()}
            disabled={pending || invitation === null}
          >
            {pending ? "Joining…" : "Accept invitation"}
          </button>
        </>
      ) : (
        <>
          <p>Sign in or create an account to accept. You will come back here afterwards.</p>
          <div className="button-row">
            <Link className="button primary" to={`/sign-in?next=${next}`}>
              Sign in
            </Link>
            <Link className="button secondary" to={`/sign-up?next=${next}`}>
              Create an account
            </Link>
          </div>
        </>
      )}
    </div>
  );
}
