import { API_KEY_LIMIT, API_KEY_NAME_MAX, type CreateApiKeyResponse } from "@cogno/protocol";
import { type FormEvent, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { adviseOnKeyName } from "../lib/key-name-advice.ts";
import { Dialog } from "./dialog.tsx";
import { useApi } from "./session.tsx";
import { TextField } from "./text-field.tsx";

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
  const [error, setError] = useState<{ message: string; remedy?: string } | null>(null);
  const [pending, setPending] = useState(false);
  const advice = adviseOnKeyName(name, activeNamesOfOwner);

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    if (name.trim() === "") {
      setError({ message: "Enter a name for the key, such as alice-macbook-worker." });
      return;
    }
    setError(null);
    setPending(true);
    try {
      const created = await api.createApiKey(workspaceId, { name: name.trim() });
      onCreated(created);
    } catch (caught) {
      if (isApiError(caught, "api_key_limit_reached")) {
        // The contract promises the message names the limit and how to free a slot; add the remedy
        // only if a server's wording leaves it out.
        setError({
          message: caught.message,
          remedy: /revoke/i.test(caught.message)
            ? undefined
            : `You can have ${API_KEY_LIMIT} active keys in this workspace. Revoke a key you no longer use from the list, then create this one.`,
        });
      } else {
        setError({ message: describeError(caught) });
      }
      setPending(false);
    }
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
          error={error ? [error.message, error.remedy].filter(Boolean).join(" ") : null}
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
