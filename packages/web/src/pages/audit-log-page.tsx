/**
 * Settings > Audit log (API.md v1.1; owners and admins): every change to keys, members, invitations
 * and workers, newest first, filtered by action and actor, a page at a time, and exported whole as
 * JSON lines with the same filters. The filters live in the address, so a filtered view can be shared.
 */
import { AUDIT_ACTIONS, type AuditEntry, type Member, type WorkspaceSummary } from "@cogno/protocol";
import { useCallback, useEffect, useId, useState } from "react";
import { Notice } from "../components/notice.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { navigate, useLocation } from "../components/router.tsx";
import { useApi } from "../components/session.tsx";
import { SettingsPageHeader } from "../components/settings-page-header.tsx";
import { TimeAgo } from "../components/time-ago.tsx";
import { useNow } from "../components/use-now.ts";
import { useReloadable } from "../components/use-reloadable.ts";
import { ACTION_LABELS, describeDetails } from "../lib/audit-words.ts";

/** Who can be picked as the actor besides the members: the server's own sweeps, and leak reporters. */
const NON_USER_ACTORS = [
  { value: "system", label: "Cogno (automatic)" },
  { value: "reporter", label: "Leak reports" },
] as const;

export function AuditLogPage({ workspace }: { workspace: WorkspaceSummary }) {
  usePageTitle(`Audit log · ${workspace.name}`);
  const api = useApi();
  const now = useNow();
  const location = useLocation();
  const action = AUDIT_ACTIONS.find((candidate) => candidate === location.search.get("action"));
  const actor = location.search.get("actor") ?? undefined;
  const actionFieldId = useId();
  const actorFieldId = useId();
  // The cursors of the pages before this one (newest first), so Newer goes back without a cursor of its own.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];

  const readPage = useCallback(
    () => api.getAuditLog(workspace.id, { action, actor, before }),
    [api, workspace.id, action, actor, before],
  );
  const page = useReloadable(readPage);
  const reloadPage = page.reload;
  useEffect(() => {
    void reloadPage();
  }, [reloadPage]);

  const readMembers = useCallback(
    async () => (await api.listMembers(workspace.id)).members,
    [api, workspace.id],
  );
  const members = useReloadable<Member[]>(readMembers);
  const reloadMembers = members.reload;
  useEffect(() => {
    void reloadMembers();
  }, [reloadMembers]);

  const setFilter = (name: "action" | "actor", value: string) => {
    const params = new URLSearchParams(location.search);
    if (value === "") params.delete(name);
    else params.set(name, value);
    const query = params.toString();
    setCursors([undefined]);
    navigate(`${location.pathname}${query ? `?${query}` : ""}`, { replace: true });
  };

  const entries = page.data?.entries ?? null;
  const nextCursor = page.data?.nextCursor ?? null;
  const exportUrl = api.auditLogExportUrl(workspace.id, { action, actor });

  return (
    <section aria-labelledby="audit-log-heading">
      <SettingsPageHeader
        headingId="audit-log-heading"
        title="Audit log"
        description={
          <>
            Every change to keys, members, invitations and workers in <strong>{workspace.name}</strong>: who,
            when, from where. Entries cannot be changed or deleted.
          </>
        }
        action={
          <a className="button secondary" href={exportUrl} download>
            Export as JSON lines
          </a>
        }
      />
      <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor={actionFieldId}>Action</label>
          <select
            id={actionFieldId}
            value={action ?? ""}
            onChange={(event) => setFilter("action", event.target.value)}
          >
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map((candidate) => (
              <option key={candidate} value={candidate}>
                {ACTION_LABELS[candidate]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={actorFieldId}>Actor</label>
          <select
            id={actorFieldId}
            value={actor ?? ""}
            onChange={(event) => setFilter("actor", event.target.value)}
          >
            <option value="">Anyone</option>
            {(members.data ?? []).map((member) => (
              <option key={member.user.id} value={member.user.id}>
                {member.user.name} ({member.user.email})
              </option>
            ))}
            {actor !== undefined &&
            !NON_USER_ACTORS.some((candidate) => candidate.value === actor) &&
            !(members.data ?? []).some((member) => member.user.id === actor) ? (
              // A former member named in the address: kept selectable so the filter shows.
              <option value={actor}>{actor}</option>
            ) : null}
            {NON_USER_ACTORS.map((candidate) => (
              <option key={candidate.value} value={candidate.value}>
                {candidate.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      {page.loadError ? <Notice tone="error">{page.loadError}</Notice> : null}
      {page.loading ? <p className="muted">Loading the audit log…</p> : null}
      {entries !== null && entries.length === 0 ? (
        <div className="empty-state">
          <h2>No entries</h2>
          <p>
            {action || actor
              ? "Nothing matches these filters."
              : "Nothing has changed in this workspace yet."}
          </p>
        </div>
      ) : null}
      {entries !== null && entries.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table responsive audit-table" aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">From</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <AuditRow key={entry.id} entry={entry} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <nav className="pager" aria-label="Audit log pages">
        <button
          type="button"
          className="button secondary"
          disabled={cursors.length === 1}
          onClick={() => setCursors((current) => current.slice(0, -1))}
        >
          Newer entries
        </button>
        <span className="muted" data-testid="audit-page">
          Page {cursors.length}
        </span>
        <button
          type="button"
          className="button secondary"
          disabled={nextCursor === null}
          onClick={() => {
            if (nextCursor !== null) setCursors((current) => [...current, nextCursor]);
          }}
        >
          Older entries
        </button>
      </nav>
    </section>
  );
}

function AuditRow({ entry, now }: { entry: AuditEntry; now: Date }) {
  const details = describeDetails(entry.details);
  return (
    <tr data-action={entry.action}>
      <td data-label="When">
        <TimeAgo iso={entry.at} now={now} />
      </td>
      <th scope="row" data-label="Action">
        {ACTION_LABELS[entry.action]}
      </th>
      <td data-label="Actor">
        {entry.actor.name}
        {entry.actor.type === "user" ? null : <span className="muted"> ({entry.actor.type})</span>}
      </td>
      <td data-label="Target">
        <span className="muted">{entry.target.type.replace("_", " ")}</span> {entry.target.name}
      </td>
      <td data-label="From">
        {entry.ip ? <span className="mono">{entry.ip}</span> : <span className="muted">—</span>}
        {entry.userAgent ? (
          <div className="small-text muted user-agent" title={entry.userAgent}>
            {entry.userAgent}
          </div>
        ) : null}
      </td>
      <td data-label="Details" className="small-text">
        {details.length === 0 ? <span className="muted">—</span> : details.join(" · ")}
      </td>
    </tr>
  );
}
