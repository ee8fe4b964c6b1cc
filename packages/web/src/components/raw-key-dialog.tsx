import { useState } from "react";
import { CommandLine } from "./command-line.tsx";
import { CopyButton } from "./copy-button.tsx";
import { Dialog } from "./dialog.tsx";

/**
 * Shows a new key's raw value, the one time it exists in the browser. The caller holds the value
 * in state and must drop it in onClosed; closing without copying asks for confirmation first,
 * because the key cannot be shown again.
 */
export function RawKeyDialog({
  keyName,
  rawKey,
  onClosed,
}: {
  keyName: string;
  rawKey: string;
  onClosed: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const [confirmingClose, setConfirmingClose] = useState(false);
  const requestClose = () => {
    if (copied) onClosed();
    else setConfirmingClose(true);
  };

  return (
    <Dialog title="Copy your new API key" onDismiss={requestClose} describedBy="raw-key-warning">
      <p>
        Key <strong>{keyName}</strong> was created.
      </p>
      <div className="raw-key" onCopy={() => setCopied(true)}>
        <label htmlFor="raw-key-value">API key</label>
        <div className="raw-key-row">
          <input
            id="raw-key-value"
            className="mono"
            readOnly
            value={rawKey}
            spellCheck={false}
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton
            text={rawKey}
            label="Copy"
            accessibleLabel="Copy API key"
            className="button primary"
            autoFocus
            onCopied={() => {
              setCopied(true);
              setConfirmingClose(false);
            }}
          />
        </div>
      </div>
      <div id="raw-key-warning" className="callout warning">
        <strong>This key will not be shown again.</strong> Copy it now and store it like a password: in a
        secret manager, a CI secret store or an environment variable. Never paste it into task comments, docs,
        chat, tickets or screenshots, and never commit it.
      </div>
      <p className="small-text">On the worker machine, run:</p>
      <CommandLine
        command={`cogno login --token <key> --server ${window.location.origin}`}
        label="login command"
      />
      <CommandLine command="cogno" label="worker command" />
      {confirmingClose ? (
        <div className="callout danger" role="alert">
          <p>
            <strong>You have not copied the key.</strong> Once this dialog closes, the key is gone for good
            and you would need to create a new one.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button secondary" onClick={() => setConfirmingClose(false)}>
              Go back
            </button>
            <button type="button" className="button danger" onClick={onClosed}>
              Close without copying
            </button>
          </div>
        </div>
      ) : (
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={requestClose}>
            {copied ? "Done" : "Close"}
          </button>
        </div>
      )}
    </Dialog>
  );
}
