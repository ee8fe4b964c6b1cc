import { API_KEY_NAME_MAX, type ApiKey } from "@cogno/protocol";
import { type FormEvent, useState } from "react";
import { Dialog } from "./dialog.tsx";
import { useApi } from "./session.tsx";
import { TextField } from "./text-field.tsx";
import { usePendingAction } from "./use-pending-action.ts";

/** Renames a key (API.md v1.1); the key itself, its prefix and its workers do not change. */
export function RenameApiKeyDialog({
  workspaceId,
  apiKey,
  onRenamed,
  onDismiss,
}: {
  workspaceId: string;
  apiKey: ApiKey;
  onRenamed: (apiKey: ApiKey) => void;
  onDismiss: () => void;
}) {
  const api = useApi();
  const [name, setName] = useState(apiKey.name);
  const { pending, error, setError, run } = usePendingAction();
  const length = name.trim().length;
  const fieldError =
    length > API_KEY_NAME_MAX
      ? `Names are at most ${API_KEY_NAME_MAX} characters; this one has ${length}.`
      : (error ?? null);

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending || length > API_KEY_NAME_MAX) return;
    if (length === 0) {
      setError("Enter a name for the key, such as alice-macbook-worker.");
      return;
    }
    await run(async () => {
      const { apiKey: renamed } = await api.renameApiKey(workspaceId, apiKey.id, { name: name.trim() });
      onRenamed(renamed);
    });
  };

  return (
    <Dialog title={`Rename “${apiKey.name}”`} onDismiss={onDismiss}>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate>
        <TextField
          label="New name"
          name="api-key-name"
          autoComplete="off"
          autoFocusOnMount
          value={name}
          characterCount={{ count: length, max: API_KEY_NAME_MAX }}
          onChange={(event) => {
            setName(event.target.value);
            setError(null);
          }}
          hint={
            <>
              The key (<code className="key-prefix">{apiKey.prefix}…</code>) keeps working as before; only its
              name changes.
            </>
          }
          error={fieldError}
        />
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onDismiss}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={pending || length > API_KEY_NAME_MAX}>
            {pending ? "Renaming…" : "Rename"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
