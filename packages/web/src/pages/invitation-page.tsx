import { describeError, isApiError } from "../api/api-error.ts";
import { settingsPath } from "../components/app-shell.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { Link, navigate } from "../components/router.tsx";
import { useApi, useOptionalSession } from "../components/session.tsx";
import { usePendingAction } from "../components/use-pending-action.ts";

/** The invitee's page: accept when signed in, else sign in or sign up and come straight back. */
export function InvitationPage({ token, path }: { token: string; path: string }) {
  usePageTitle("Invitation");
  const api = useApi();
  const session = useOptionalSession();
  const { pending, error, run } = usePendingAction((caught) =>
    isApiError(caught, "not_found")
      ? "This invitation link is not valid: it may have expired or already been used. Ask an admin of the workspace for a new link."
      : describeError(caught),
  );

  const handleAccept = () =>
    run(async () => {
      const { workspace } = await api.acceptInvitation(token);
      await session?.refreshMe();
      navigate(settingsPath(workspace.id, "api-keys"));
    });

  const next = encodeURIComponent(path);
  return (
    <div className="auth-card">
      <h1 tabIndex={-1}>You are invited to a Cogno workspace</h1>
      {session ? (
        <>
          <p>
            Signed in as <strong>{session.me.user.name}</strong> ({session.me.user.email}). Accept to join the
            workspace with the role the link grants.
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
            disabled={pending}
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
