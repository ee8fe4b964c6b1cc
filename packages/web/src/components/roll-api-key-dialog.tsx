import type { ApiKey, RollApiKeyResponse } from "@cogno/protocol";
import { type FormEvent, useState } from "react";
import { GRACE_CHOICES } from "../lib/key-expiry.ts";
import { Dialog } from "./dialog.tsx";
import { useApi } from "./session.tsx";
import { FormError } from "./text-field.tsx";
import { usePendingAction } from "./use-pending-action.ts";

/**
 * Roll (API.md v1.1): one action makes the replacement key, with the same name and owner, and gives
 * the old key a grace window so machines can move over. Allowed at the 25-key limit: the old key
 * no longer counts once its expiry is set.
 */
export function RollApiKeyDialog({
  workspaceId,
  apiKey,
  onRolled,
  onDismiss,
}: {
  workspaceId: string;
  apiKey: ApiKey;
  onRolled: (result: RollApiKeyResponse) => void;
  onDismiss: () => void;
}) {
  const api = useApi();
  const [seconds, setSeconds] = useState<number>(86_400);
  const { pending, error, run } = usePendingAction();

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () =>
      onRolled(await api.rollApiKey(workspaceId, apiKey.id, { expiresInSeconds: seconds })),
    );
  };

  return (
    <Dialog title={`Roll “${apiKey.name}”?`} onDismiss={onDismiss} describedBy="roll-explanation">
      <form onSubmit={(event) => void handleSubmit(event)}>
        <p id="roll-explanation">
          Rolling makes a new key named “{apiKey.name}”, shown once, and sets when the old one (
          <code className="key-prefix">{apiKey.prefix}…</code>) stops working. Log each machine in with the
          new key during the grace window; the key’s page shows which workers still use the old one.
        </p>
        <fieldset className="radio-group">
          <legend>Keep the old key working for</legend>
          {GRACE_CHOICES.map((choice) => (
            <label key={choice.seconds} className="radio">
              <input
                type="radio"
                name="grace"
                value={choice.seconds}
                checked={seconds === choice.seconds}
                onChange={() => setSeconds(choice.seconds)}
              />
              {choice.label}
            </label>
          ))}
        </fieldset>
        {seconds === 0 ? (
          <div className="callout danger">
            <p>Workers using the old key are disconnected at once.</p>
          </div>
        ) : null}
        <FormError>{error}</FormError>
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onDismiss}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? "Rolling…" : "Roll key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
