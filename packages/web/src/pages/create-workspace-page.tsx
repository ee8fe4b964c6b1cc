import { type FormEvent, useState } from "react";
import { settingsPath } from "../components/app-shell.tsx";
import { usePageTitle } from "../components/page-title.ts";
import { navigate } from "../components/router.tsx";
import { useApi, useSession } from "../components/session.tsx";
import { TextField } from "../components/text-field.tsx";
import { usePendingAction } from "../components/use-pending-action.ts";

/**
 * First run asks for the first workspace's name; later the same form adds another workspace.
 * `next` (an app path, already checked) is where to go afterwards, such as the device approval page
 * that sent a new person here.
 */
export function CreateWorkspacePage({ firstRun, next = null }: { firstRun: boolean; next?: string | null }) {
  usePageTitle(firstRun ? "Name your workspace" : "New workspace");
  const api = useApi();
  const session = useSession();
  const [name, setName] = useState("");
  const { pending, error, setError, run } = usePendingAction();

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "") {
      setError("Enter a name for the workspace.");
      return;
    }
    await run(async () => {
      const { workspace } = await api.createWorkspace({ name: name.trim() });
      await session.refreshMe();
      navigate(next ?? settingsPath(workspace.id, "api-keys"));
    });
  };

  return (
    <div className="auth-card">
      <h1 tabIndex={-1}>{firstRun ? `Welcome, ${session.me.user.name}` : "Create a workspace"}</h1>
      <p>
        {firstRun
          ? "A workspace holds your team and the machines that work for it. What should your first workspace be called?"
          : "A workspace has its own members, API keys and workers."}
      </p>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate>
        <TextField
          label="Workspace name"
          name="workspace-name"
          required
          maxLength={100}
          placeholder="Acme engineering"
          value={name}
          error={error}
          autoFocus
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" className="button primary wide" disabled={pending}>
          {pending ? "Creating…" : "Create workspace"}
        </button>
      </form>
    </div>
  );
}
