import { API_KEY_LIMIT, API_KEY_NAME_MAX, type CreateApiKeyResponse } from "@cogno/protocol";
import { type FormEvent, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { adviseOnKeyName } from "../lib/key-name-advice.ts";
import { Dialog } from "./dialog.tsx";
import { useApi } from "./session.tsx";
import { TextField } from "./text-field.tsx";
import { usePendingAction } from "./use-pending-action.ts";

export interface CreateApiKeyDialogProps {
  workspaceId: string;
  /** The caller's own active key names, for the duplicate-name warning. */
  activeNamesOfOwner: readonly string[];
  onCreated: (created: CreateApiKeyResponse) => void;
  onDismiss: () => void;
}

export function CreateApiKeyDialog({
  workspaceId,
  activeNamesOfOwner,
  onCreated,
  onDismiss,
}: CreateApiKeyDialogProps) {
  const api = useApi();
  const [name, setName] = useState("");
  const { pending, error, setError, run } = usePendingAction((caught) => {
    if (!isApiError(caught, "api_key_limit_reached")) return describeError(caught);
    // The contract promises the message names the limit and how to free a slot; add the remedy
    // only if a server's wording leaves it out.
    return /revoke/i.test(caught.message)
      ? caught.message
      : `${caught.message} You can have ${API_KEY_LIMIT} active keys in this workspace. Revoke a key you no longer use from the list, then create this one.`;
  });
  const advice = adviseOnKeyName(name, activeNamesOfOwner);

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    if (name.trim() === "") {
      setError("Enter a name for the key, such as alice-macbook-worker.");
      return;
    }
    await run(async () => {
      onCreated(await api.createApiKey(workspaceId, { name: name.trim() }));
    });
  };

  return (
    <Dialog title="Create an API key" onDismiss={onDismiss}>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate>
        <TextField
          label="Name"
          name="api-key-name"
          autoComplete="off"
          maxLength={API_KEY_NAME_MAX}
          required
          autoFocusOnMount
          value={name}
          onChange={(event) => setName(event.target.value)}
          hint={
            <>
              Name it so the right key is obvious when revoking: who or what uses it, and where. For example{" "}
              <code>alice-macbook-worker</code>, <code>buildkite-prod-worker</code> or{" "}
              <code>migration-laptop-2026-06</code>.
            </>
          }
          warning={advice.kind === "ok" ? null : advice.message}
          error={error}
        />
        <p className="muted small-text">
          The key has the <code>worker</code> scope: it lets a <code>cogno</code> worker daemon connect to
          this workspace. It is shown once, right after you create it.
        </p>
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onDismiss}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? "Creating…" : "Create"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
