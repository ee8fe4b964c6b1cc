import { API_KEY_LIMIT, API_KEY_NAME_MAX, type CreateApiKeyResponse } from "@cogno/protocol";
import { type FormEvent, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { adviseOnKeyName, type ExistingKey } from "../lib/key-name-advice.ts";
import { Dialog } from "./dialog.tsx";
import { useApi } from "./session.tsx";
import { TextField } from "./text-field.tsx";
import { usePendingAction } from "./use-pending-action.ts";

export interface CreateApiKeyDialogProps {
  workspaceId: string;
  /** Active keys the person can see, for the duplicate-name warning. */
  existingKeys: readonly ExistingKey[];
  /** The person's own active keys in this workspace: at the limit, Create is disabled and says why. */
  ownActiveKeyCount: number;
  onCreated: (created: CreateApiKeyResponse) => void;
  onDismiss: () => void;
}

export function limitReachedMessage(count: number): string {
  return `You have ${count} of ${API_KEY_LIMIT} active keys in this workspace, the most one person may hold. Revoke a key you no longer use, then create this one.`;
}

export function CreateApiKeyDialog({
  workspaceId,
  existingKeys,
  ownActiveKeyCount,
  onCreated,
  onDismiss,
}: CreateApiKeyDialogProps) {
  const api = useApi();
  const [name, setName] = useState("");
  const [triedEmpty, setTriedEmpty] = useState(false);
  const { pending, error, setError, run } = usePendingAction((caught) => {
    if (!isApiError(caught, "api_key_limit_reached")) return describeError(caught);
    // The contract promises the message names the limit and how to free a slot; add the remedy
    // only if a server's wording leaves it out.
    return /revoke/i.test(caught.message)
      ? caught.message
      : `${caught.message} ${limitReachedMessage(API_KEY_LIMIT)}`;
  });
  const advice = adviseOnKeyName(name, existingKeys);
  const length = name.trim().length;
  const tooLong = length > API_KEY_NAME_MAX;
  const atLimit = ownActiveKeyCount >= API_KEY_LIMIT;

  // The field's one error, most pressing first; an empty name is reported only after a try, and
  // no longer once something is typed.
  const fieldError = tooLong
    ? `Names are at most ${API_KEY_NAME_MAX} characters; this one has ${length}. Shorten it to create the key.`
    : (error ??
      (triedEmpty && length === 0 ? "Enter a name for the key, such as alice-macbook-worker." : null));

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending || tooLong || atLimit) return;
    if (length === 0) {
      setTriedEmpty(true);
      return;
    }
    await run(async () => {
      onCreated(await api.createApiKey(workspaceId, { name: name.trim() }));
    });
  };

  return (
    <Dialog title="Create an API key" onDismiss={onDismiss}>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate>
        {atLimit ? (
          <div id="create-key-limit" className="callout danger" role="alert">
            {limitReachedMessage(ownActiveKeyCount)}
          </div>
        ) : null}
        <TextField
          label="Name"
          name="api-key-name"
          autoComplete="off"
          required
          autoFocusOnMount
          value={name}
          characterCount={{ count: length, max: API_KEY_NAME_MAX }}
          onChange={(event) => {
            setName(event.target.value);
            setError(null);
          }}
          hint={
            <>
              Name it so the right key is obvious when revoking: who or what uses it, and where. For example{" "}
              <code>alice-macbook-worker</code>, <code>buildkite-prod-worker</code> or{" "}
              <code>migration-laptop-2026-06</code>.
            </>
          }
          warning={advice.kind === "ok" ? null : advice.message}
          error={fieldError}
        />
        <p className="muted small-text">
          The key has the <code>worker</code> scope: it lets a <code>cogno</code> worker daemon connect to
          this workspace. It is shown once, right after you create it.
        </p>
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onDismiss}>
            Cancel
          </button>
          <button
            type="submit"
            className="button primary"
            disabled={pending || tooLong || atLimit}
            aria-describedby={atLimit ? "create-key-limit" : undefined}
          >
            {pending ? "Creating…" : "Create"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
