import { API_KEY_LIMIT, API_KEY_NAME_MAX, type CreateApiKeyResponse } from "@cogno/protocol";
import { type FormEvent, useId, useState } from "react";
import { describeError, isApiError } from "../api/api-error.ts";
import { EXPIRY_CHOICES, type ExpiryChoice, expiresAtFor, localDateInputValue } from "../lib/key-expiry.ts";
import { adviseOnKeyName, type ExistingKey } from "../lib/key-name-advice.ts";
import { formatExactTime } from "../lib/relative-time.ts";
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
  const [expiry, setExpiry] = useState<ExpiryChoice>("never");
  const [customDate, setCustomDate] = useState("");
  const [expiryError, setExpiryError] = useState<string | null>(null);
  const expiryId = useId();
  const customDateId = useId();
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
    // Computed at submit, so a preset counts its days from the moment of creation.
    const chosen = expiresAtFor(expiry, new Date(), customDate);
    if (!chosen.ok) {
      setExpiryError(chosen.message);
      return;
    }
    await run(async () => {
      onCreated(await api.createApiKey(workspaceId, { name: name.trim(), expiresAt: chosen.expiresAt }));
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
        <div className="field">
          <label htmlFor={expiryId}>Expires</label>
          <select
            id={expiryId}
            value={expiry}
            onChange={(event) => {
              const choice = EXPIRY_CHOICES.find((candidate) => candidate.value === event.target.value);
              if (choice) setExpiry(choice.value);
              setExpiryError(null);
            }}
          >
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
          <ExpiryPreview choice={expiry} customDate={customDate} />
        </div>
        {expiry === "custom" ? (
          <div className="field">
            <label htmlFor={customDateId}>Last day the key works</label>
            <input
              id={customDateId}
              type="date"
              min={localDateInputValue(new Date())}
              value={customDate}
              aria-invalid={expiryError ? true : undefined}
              aria-describedby={expiryError ? `${customDateId}-error` : undefined}
              onChange={(event) => {
                setCustomDate(event.target.value);
                setExpiryError(null);
              }}
            />
            {expiryError ? (
              <p id={`${customDateId}-error`} className="field-error" role="alert">
                {expiryError}
              </p>
            ) : null}
          </div>
        ) : null}
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

/** Says when the chosen expiry falls, and what happens then. */
function ExpiryPreview({ choice, customDate }: { choice: ExpiryChoice; customDate: string }) {
  const chosen = expiresAtFor(choice, new Date(), customDate);
  if (choice === "never")
    return (
      <div className="field-hint">
        The key works until it is revoked. You can roll or revoke it at any time.
      </div>
    );
  if (!chosen.ok || chosen.expiresAt === null) return null;
  return (
    <div className="field-hint">
      Stops working {formatExactTime(new Date(chosen.expiresAt))}; its workers are disconnected then. The list
      flags it 7 days before.
    </div>
  );
}
