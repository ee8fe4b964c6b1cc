/**
 * The app: who is signed in, and which page a path shows. Pages behind sign-in get the session
 * from context; pages of a workspace get the workspace from the signed-in user's own list, so a
 * workspace id in the address is never trusted on its own (the server checks it again).
 */
import type { MeResponse, WorkspaceSummary } from "@cogno/protocol";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { describeError, isApiError } from "./api/api-error.ts";
import { type ApiClient, createApiClient } from "./api/client.ts";
import { AppShell, pickWorkspace, type SettingsSection, settingsPath } from "./components/app-shell.tsx";
import { Notice } from "./components/notice.tsx";
import { navigate, Redirect, useLocation } from "./components/router.tsx";
import { ApiProvider, type Session, SessionProvider } from "./components/session.tsx";
import { matchRoute, safeNextPath } from "./lib/route-match.ts";
import { ApiKeyPage } from "./pages/api-key-page.tsx";
import { ApiKeysPage } from "./pages/api-keys-page.tsx";
import { AuditLogPage } from "./pages/audit-log-page.tsx";
import { CreateWorkspacePage } from "./pages/create-workspace-page.tsx";
import { DevicePage } from "./pages/device-page.tsx";
import { DocsPage } from "./pages/docs-page.tsx";
import { InvitationPage } from "./pages/invitation-page.tsx";
import { MembersPage } from "./pages/members-page.tsx";
import { NotFoundPage } from "./pages/not-found-page.tsx";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { SignUpPage } from "./pages/sign-up-page.tsx";
import { WorkersPage } from "./pages/workers-page.tsx";

type SessionState =
  | { status: "loading" }
  | { status: "failed"; message: string }
  | { status: "signed-out" }
  | { status: "signed-in"; me: MeResponse };

export function App({ api: givenApi }: { api?: ApiClient }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });
  // A session that ends while a page is open (expired, or signed out in another tab) sends the
  // person to sign in, and back to this page afterwards.
  const [api] = useState<ApiClient>(
    () =>
      givenApi ??
      createApiClient({
        onUnauthenticated: () =>
          setState((current) => (current.status === "signed-in" ? { status: "signed-out" } : current)),
      }),
  );

  const loadMe = useCallback(async (): Promise<MeResponse | null> => {
    try {
      const me = await api.getMe();
      setState({ status: "signed-in", me });
      return me;
    } catch (caught) {
      if (isApiError(caught, "unauthenticated")) setState({ status: "signed-out" });
      else setState({ status: "failed", message: describeError(caught) });
      return null;
    }
  }, [api]);

  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  const session = useMemo<Session | null>(() => {
    if (state.status !== "signed-in") return null;
    return {
      me: state.me,
      refreshMe: loadMe,
      signOut: async () => {
        try {
          await api.logOut();
        } finally {
          setState({ status: "signed-out" });
          navigate("/sign-in");
        }
      },
    };
  }, [state, loadMe, api]);

  return (
    <ApiProvider api={api}>
      <SessionProvider session={session}>
        <Routes state={state} onSignedIn={async () => void (await loadMe())} />
      </SessionProvider>
    </ApiProvider>
  );
}

const SETTINGS_SECTIONS: readonly SettingsSection[] = ["api-keys", "workers", "members", "audit-log"];

function Routes({ state, onSignedIn }: { state: SessionState; onSignedIn: () => Promise<void> }) {
  const location = useLocation();
  const { pathname } = location;

  if (state.status === "loading") {
    return (
      <div className="boot" role="status">
        Loading Cogno…
      </div>
    );
  }
  if (state.status === "failed") {
    return (
      <AppShell workspace={undefined} section={null}>
        <h1 tabIndex={-1}>Cogno is unreachable</h1>
        <Notice tone="error">{state.message}</Notice>
      </AppShell>
    );
  }

  const me = state.status === "signed-in" ? state.me : null;
  const next = safeNextPath(location.search.get("next"));

  if (matchRoute("/sign-in", pathname) || matchRoute("/sign-up", pathname)) {
    if (me) return <Redirect to={next ?? "/"} />;
    const Page = matchRoute("/sign-in", pathname) ? SignInPage : SignUpPage;
    return (
      <AppShell workspace={undefined} section={null}>
        <Page next={next} onSignedIn={onSignedIn} />
      </AppShell>
    );
  }

  const invitation = matchRoute("/invite/:token", pathname);
  if (invitation?.token) {
    return (
      <AppShell workspace={me ? pickWorkspace(me.workspaces) : undefined} section={null}>
        <InvitationPage token={invitation.token} path={location.path} />
      </AppShell>
    );
  }

  if (matchRoute("/docs", pathname)) {
    return (
      <AppShell workspace={me ? pickWorkspace(me.workspaces) : undefined} section="docs">
        <DocsPage />
      </AppShell>
    );
  }

  if (me === null) return <Redirect to={`/sign-in?next=${encodeURIComponent(location.path)}`} />;

  // The approval page of `cogno login`; signed-out people were sent to sign in above and come back.
  if (matchRoute("/device", pathname)) {
    return (
      <AppShell workspace={pickWorkspace(me.workspaces)} section={null}>
        <DevicePage />
      </AppShell>
    );
  }

  if (matchRoute("/", pathname)) {
    const workspace = pickWorkspace(me.workspaces);
    return <Redirect to={workspace ? settingsPath(workspace.id, "api-keys") : "/welcome"} />;
  }

  if (matchRoute("/welcome", pathname) || matchRoute("/workspaces/new", pathname)) {
    const firstRun = me.workspaces.length === 0;
    return (
      <AppShell workspace={firstRun ? undefined : pickWorkspace(me.workspaces)} section={null}>
        <CreateWorkspacePage firstRun={firstRun} next={next} />
      </AppShell>
    );
  }

  const settingsRoot =
    matchRoute("/w/:workspaceId/settings", pathname) ?? matchRoute("/w/:workspaceId", pathname);
  if (settingsRoot?.workspaceId) return <Redirect to={settingsPath(settingsRoot.workspaceId, "api-keys")} />;

  const keyPage = matchRoute("/w/:workspaceId/settings/api-keys/:keyId", pathname);
  if (keyPage?.workspaceId && keyPage.keyId) {
    const workspace = me.workspaces.find((candidate) => candidate.id === keyPage.workspaceId);
    return (
      <AppShell workspace={workspace ?? pickWorkspace(me.workspaces)} section={workspace ? "api-keys" : null}>
        {workspace ? (
          <ApiKeyPage key={`${workspace.id}/${keyPage.keyId}`} workspace={workspace} keyId={keyPage.keyId} />
        ) : (
          <NotFoundPage message="This workspace does not exist, or you are not a member of it." />
        )}
      </AppShell>
    );
  }

  const settings = matchRoute("/w/:workspaceId/settings/:section", pathname);
  const section = SETTINGS_SECTIONS.find((candidate) => candidate === settings?.section);
  if (settings && section) {
    const workspace = me.workspaces.find((candidate) => candidate.id === settings.workspaceId);
    if (workspace === undefined) {
      return (
        <AppShell workspace={pickWorkspace(me.workspaces)} section={null}>
          <NotFoundPage message="This workspace does not exist, or you are not a member of it." />
        </AppShell>
      );
    }
    return (
      <AppShell workspace={workspace} section={section}>
        {renderSettings(section, workspace)}
      </AppShell>
    );
  }

  return (
    <AppShell workspace={pickWorkspace(me.workspaces)} section={null}>
      <NotFoundPage />
    </AppShell>
  );
}

function renderSettings(section: SettingsSection, workspace: WorkspaceSummary): ReactNode {
  // Keyed by workspace so switching workspaces starts each page from a clean state.
  switch (section) {
    case "api-keys":
      return <ApiKeysPage key={workspace.id} workspace={workspace} />;
    case "workers":
      return <WorkersPage key={workspace.id} workspace={workspace} />;
    case "members":
      return <MembersPage key={workspace.id} workspace={workspace} />;
    case "audit-log":
      return workspace.role === "member" ? (
        <NotFoundPage message="Only owners and admins of this workspace can read its audit log." />
      ) : (
        <AuditLogPage key={workspace.id} workspace={workspace} />
      );
  }
}
