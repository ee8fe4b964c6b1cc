import type { WorkspaceSummary } from "@cogno/protocol";
import { type ReactNode, useEffect, useId } from "react";
import { buildPath } from "../lib/route-match.ts";
import { Link, navigate, useLocation } from "./router.tsx";
import { useOptionalSession } from "./session.tsx";

export type SettingsSection = "api-keys" | "workers" | "members" | "audit-log";

/** `adminOnly`: shown to owners and admins only (the server refuses members anyway). */
const SECTIONS: ReadonlyArray<{ section: SettingsSection; label: string; adminOnly?: boolean }> = [
  { section: "api-keys", label: "API Keys" },
  { section: "workers", label: "Workers" },
  { section: "members", label: "Members" },
  { section: "audit-log", label: "Audit log", adminOnly: true },
];

export function settingsPath(workspaceId: string, section: SettingsSection): string {
  return buildPath("w", workspaceId, "settings", section);
}

/** The path the shell last showed: module state, because the shell remounts between some pages. */
let lastShownPathname: string | null = null;

const LAST_WORKSPACE = "cogno.lastWorkspaceId";

export function rememberWorkspace(workspaceId: string): void {
  try {
    window.localStorage.setItem(LAST_WORKSPACE, workspaceId);
  } catch {
    // storage may be disabled; remembering is a convenience only
  }
}

/** The workspace to open when none is named: the last one used, else the first. */
export function pickWorkspace(workspaces: readonly WorkspaceSummary[]): WorkspaceSummary | undefined {
  let remembered: string | null = null;
  try {
    remembered = window.localStorage.getItem(LAST_WORKSPACE);
  } catch {
    remembered = null;
  }
  return workspaces.find((workspace) => workspace.id === remembered) ?? workspaces[0];
}

/** Page frame: skip link, header with workspace switcher and navigation, main landmark. */
export function AppShell({
  workspace,
  section,
  children,
}: {
  workspace: WorkspaceSummary | undefined;
  section: SettingsSection | "docs" | null;
  children: ReactNode;
}) {
  const session = useOptionalSession();
  const { pathname } = useLocation();

  useEffect(() => {
    if (workspace) rememberWorkspace(workspace.id);
  }, [workspace]);

  // After a client-side navigation, move focus to the new page's heading so screen readers announce it.
  useEffect(() => {
    if (lastShownPathname !== null && lastShownPathname !== pathname) {
      document.querySelector<HTMLElement>("main h1")?.focus();
    }
    lastShownPathname = pathname;
  }, [pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-row">
          <Link to="/" className="brand">
            Cogno
          </Link>
          {session && workspace ? (
            <WorkspaceSwitcher current={workspace} workspaces={session.me.workspaces} section={section} />
          ) : null}
          <div className="header-spacer" />
          {session ? (
            <div className="account">
              <span className="account-name" title={session.me.user.email}>
                {session.me.user.name}
              </span>
              <button type="button" className="button secondary small" onClick={() => void session.signOut()}>
                Sign out
              </button>
            </div>
          ) : (
            <Link to="/sign-in" className="button secondary small">
              Sign in
            </Link>
          )}
        </div>
        <nav aria-label="Main" className="app-nav">
          <ul>
            {workspace
              ? SECTIONS.filter((item) => !item.adminOnly || workspace.role !== "member").map((item) => (
                  <li key={item.section}>
                    <Link
                      to={settingsPath(workspace.id, item.section)}
                      aria-current={section === item.section ? "page" : undefined}
                    >
                      {item.label}
                    </Link>
                  </li>
                ))
              : null}
            <li>
              <Link to="/docs" aria-current={section === "docs" ? "page" : undefined}>
                Docs
              </Link>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" className="app-main">
        {children}
      </main>
    </div>
  );
}

const NEW_WORKSPACE = "__new__";

function WorkspaceSwitcher({
  current,
  workspaces,
  section,
}: {
  current: WorkspaceSummary;
  workspaces: readonly WorkspaceSummary[];
  section: SettingsSection | "docs" | null;
}) {
  const id = useId();
  return (
    <div className="workspace-switcher">
      <label htmlFor={id} className="visually-hidden">
        Workspace
      </label>
      <select
        id={id}
        value={current.id}
        onChange={(event) => {
          const target = event.target.value;
          if (target === NEW_WORKSPACE) navigate("/workspaces/new");
          else navigate(settingsPath(target, section === "docs" || section === null ? "api-keys" : section));
        }}
      >
        {workspaces.map((workspace) => (
          <option key={workspace.id} value={workspace.id}>
            {workspace.name}
          </option>
        ))}
        <option value={NEW_WORKSPACE}>+ New workspace…</option>
      </select>
    </div>
  );
}
