/**
 * `/device`: the approval page of `cogno login` without --token (RFC 8628; API.md v1.1). The CLI
 * prints this page's address with the code filled in, or the bare address and the code to type.
 * The page shows the code and the machine's name so the person can check them against their
 * terminal, then Approve makes a key named after the machine in the chosen workspace, owned by the
 * person, or Deny ends the login. Signed-out people are sent to sign in and come back (app.tsx).
 */
import type { ApiKey, WorkspaceSummary } from "@cogno/protocol";
import { type FormEvent, useEffect, useId, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { pickWorkspace, settingsPath } from "../components/app-shell.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { Link, navigate, useLocation } from "../components/router.tsx";
import { useApi, useSession } from "../components/session.tsx";
import { FormError, TextField } from "../components/text-field.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { usePendingAction } from "../components/use-pending-action.ts";
import { formatUserCode, isCompleteUserCode } from "../lib/user-code.ts";

type Step =
  | { step: "enter" }
  | { step: "confirm"; userCode: string; clientName: string; expiresAt: string }
  | { step: "approved"; clientName: string; apiKey: ApiKey; workspace: WorkspaceSummary }
  | { step: "denied"; clientName: string };

const INVALID_CODE =
  "This code is not valid: it may have expired (codes last 10 minutes), been used already, or been mistyped. Run cogno login again for a new one.";

export function DevicePage() {
  usePageTitle("Log in a device");
  const api = useApi();
  const { me } = useSession();
  const location = useLocation();
  const codeInAddress = location.search.get("code") ?? "";
  const [typed, setTyped] = useState(formatUserCode(codeInAddress));
  const [state, setState] = useState<Step>({ step: "enter" });
  const lookup = usePendingAction((caught) =>
    isApiError(caught, "not_found") ? INVALID_CODE : describeError(caught),
  );

  const look = (code: string) =>
    lookup.run(async () => {
      const userCode = formatUserCode(code);
      const preview = await api.previewDevice(userCode);
      setState({ step: "confirm", userCode, ...preview });
    });

  // A code in the address (the link the CLI printed) is looked up at once; the person still confirms.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on arrival with a code
  useEffect(() => {
    if (isCompleteUserCode(codeInAddress)) void look(codeInAddress);
  }, []);

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!isCompleteUserCode(typed)) {
      lookup.setError("Enter the 8 letters cogno login shows, such as BCDF-GHJK.");
      return;
    }
    void look(typed);
  };

  return (
    <div className="auth-card device-card">
      {state.step === "enter" ? (
        <>
          <h1 tabIndex={-1}>Log in a device</h1>
          <p>
            Enter the code that <code>cogno login</code> shows in your terminal. Signed in as{" "}
            <strong>{me.user.name}</strong> ({me.user.email}).
          </p>
          <form onSubmit={handleSubmit} noValidate>
            <TextField
              label="Code"
              name="code"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              className="mono user-code-input"
              placeholder="XXXX-XXXX"
              value={typed}
              autoFocusOnMount
              onChange={(event) => {
                setTyped(event.target.value.toUpperCase());
                lookup.setError(null);
              }}
            />
            <FormError>{lookup.error}</FormError>
            <button
              type="submit"
              className="button primary wide"
              disabled={lookup.pending && state.step === "enter"}
            >
              {lookup.pending ? "Checking…" : "Continue"}
            </button>
          </form>
        </>
      ) : null}
      {state.step === "confirm" ? (
        <ConfirmDevice
          userCode={state.userCode}
          clientName={state.clientName}
          expiresAt={state.expiresAt}
          workspaces={me.workspaces}
          returnPath={`/device?code=${encodeURIComponent(state.userCode)}`}
          onApproved={(apiKey, workspace) =>
            setState({ step: "approved", clientName: state.clientName, apiKey, workspace })
          }
          onDenied={() => setState({ step: "denied", clientName: state.clientName })}
          onExpired={(message) => {
            setState({ step: "enter" });
            lookup.setError(message);
          }}
        />
      ) : null}
      {state.step === "approved" ? (
        <div role="status">
          <h1 tabIndex={-1}>Device logged in</h1>
          <p>
            <strong>{state.clientName}</strong> is logged in to <strong>{state.workspace.name}</strong> with a
            new key, “{state.apiKey.name}” (<code className="key-prefix">{state.apiKey.prefix}…</code>). Go
            back to your terminal: <code>cogno</code> is ready to run there.
          </p>
          <p className="muted">
            The key counts toward your {""}
            <Link to={settingsPath(state.workspace.id, "api-keys")}>API keys</Link>; revoke it there to log
            the device out.
          </p>
        </div>
      ) : null}
      {state.step === "denied" ? (
        <div role="status">
          <h1 tabIndex={-1}>Login denied</h1>
          <p>
            No key was made for <strong>{state.clientName}</strong>; <code>cogno login</code> there stops with
            “denied”. If that was you after all, run it again.
          </p>
          <button type="button" className="button secondary" onClick={() => navigate("/")}>
            Back to Cogno
          </button>
        </div>
      ) : null}
    </div>
  );
}

function ConfirmDevice({
  userCode,
  clientName,
  expiresAt,
  workspaces,
  returnPath,
  onApproved,
  onDenied,
  onExpired,
}: {
  userCode: string;
  clientName: string;
  expiresAt: string;
  workspaces: readonly WorkspaceSummary[];
  /** This page with its code, to come back to after creating a first workspace. */
  returnPath: string;
  onApproved: (apiKey: ApiKey, workspace: WorkspaceSummary) => void;
  onDenied: () => void;
  onExpired: (message: string) => void;
}) {
  const api = useApi();
  const now = useNow();
  const workspaceFieldId = useId();
  const [workspaceId, setWorkspaceId] = useState(pickWorkspace(workspaces)?.id ?? "");
  const describe = (caught: unknown) => {
    if (isApiError(caught, "not_found")) {
      onExpired(INVALID_CODE);
      return null;
    }
    if (isApiError(caught, "api_key_limit_reached"))
      return `${caught.message} Revoke a key you no longer use on the API Keys page, then approve again.`;
    return describeError(caught);
  };
  const approve = usePendingAction(describe);
  const deny = usePendingAction(describe);
  const workspace = workspaces.find((candidate) => candidate.id === workspaceId);

  return (
    <>
      <h1 tabIndex={-1}>Log in {clientName}?</h1>
      <p>
        <code>cogno login</code> on the machine <strong>{clientName}</strong> asks for a worker key. Approve
        only if you started it and your terminal shows this code:
      </p>
      <p className="user-code" data-testid="user-code">
        {userCode}
      </p>
      <p className="muted small-text">
        The request expires <TimeAgo iso={expiresAt} now={now} />.
      </p>
      {workspaces.length === 0 ? (
        <div className="callout warning">
          <p>
            You are in no workspace yet, and the key needs one.{" "}
            <Link to={`/workspaces/new?next=${encodeURIComponent(returnPath)}`}>Create a workspace</Link>: you
            come back here to approve.
          </p>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={workspaceFieldId}>Add the key to workspace</label>
          <select
            id={workspaceFieldId}
            value={workspaceId}
            onChange={(event) => setWorkspaceId(event.target.value)}
          >
            {workspaces.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
          <div className="field-hint">
            Approve makes a key named “{clientName}”, owned by you, in this workspace. It counts toward your
            25.
          </div>
        </div>
      )}
      <FormError>{approve.error ?? deny.error}</FormError>
      <div className="button-row">
        <button
          type="button"
          className="button primary"
          disabled={workspace === undefined || approve.pending || deny.pending}
          onClick={() =>
            void approve.run(async () => {
              if (workspace === undefined) return;
              const { apiKey } = await api.approveDevice({ userCode, workspaceId: workspace.id });
              onApproved(apiKey, workspace);
            })
          }
        >
          {approve.pending ? "Approving…" : "Approve"}
        </button>
        <button
          type="button"
          className="button secondary"
          disabled={approve.pending || deny.pending}
          onClick={() =>
            void deny.run(async () => {
              await api.denyDevice({ userCode });
              onDenied();
            })
          }
        >
          {deny.pending ? "Denying…" : "Deny"}
        </button>
      </div>
    </>
  );
}
