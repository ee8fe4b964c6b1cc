import { useState } from "react";
import { CommandLine } from "./command-line.tsx";
import { CopyButton } from "./copy-button.tsx";
import { Dialog } from "./dialog.tsx";
import { useNavigationBlocker } from "./router.tsx";

/** What the person asked for while the key was not yet copied: to close the dialog, or to leave the page. */
type PendingExit = { kind: "close" } | { kind: "leave"; proceed: () => void };

/**
 * Shows a new key's raw value, the one time it exists in the browser. The caller holds the value
 * in state and must drop it in onClosed. Until the key (or the login command, which holds it) is
 * copied, closing the dialog, Back, a link or a reload all ask first, because the key cannot be
 * shown again and already counts toward the limit.
 */
export function RawKeyDialog({
  keyName,
  rawKey,
  displayPrefix,
  onClosed,
}: {
  keyName: string;
  rawKey: string;
  /** The key's display prefix, shown in place of the key inside the login command. */
  displayPrefix: string;
  onClosed: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const [pendingExit, setPendingExit] = useState<PendingExit | null>(null);
  const markCopied = () => {
    setCopied(true);
    setPendingExit(null);
  };
  const requestClose = () => {
    if (copied) onClosed();
    else setPendingExit({ kind: "close" });
  };
  useNavigationBlocker(!copied, (proceed) => setPendingExit({ kind: "leave", proceed }));

  const origin = window.location.origin;
  return (
    <Dialog title="Copy your new API key" onDismiss={requestClose} describedBy="raw-key-warning">
      <p>
        Key <strong>{keyName}</strong> was created.
      </p>
      <div className="raw-key" onCopy={markCopied}>
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
            onCopied={markCopied}
          />
        </div>
      </div>
      <div id="raw-key-warning" className="callout warning">
        <strong>This key will not be shown again.</strong> Copy it now and store it like a password: in a
        secret manager, a CI secret store or an environment variable. Never paste it into task comments, docs,
        chat, tickets or screenshots, and never commit it.
      </div>
      <p className="small-text">On the worker machine, run (the copied command holds the whole key):</p>
      <CommandLine
        command={`cogno login --token ${displayPrefix}… --server ${origin}`}
        copyText={`cogno login --token ${rawKey} --server ${origin}`}
        label="login command"
        onCopied={markCopied}
      />
      <CommandLine command="cogno" label="worker command" />
      <p className="small-text muted">
        To keep the key out of your shell history, run <code>cogno login --token - --server {origin}</code>{" "}
        instead and paste the key when it asks.
      </p>
      {pendingExit ? (
        <div className="callout danger" role="alert">
          <p>
            <strong>You have not copied the key.</strong>{" "}
            {pendingExit.kind === "close"
              ? "Once this dialog closes, the key is gone for good"
              : "If you leave this page, the key is gone for good"}{" "}
            and you would need to create a new one.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button secondary" onClick={() => setPendingExit(null)}>
              Go back
            </button>
            {pendingExit.kind === "close" ? (
              <button type="button" className="button danger" onClick={onClosed}>
                Close without copying
              </button>
            ) : (
              <button
                type="button"
                className="button danger"
                onClick={() => {
                  setPendingExit(null);
                  pendingExit.proceed();
                }}
              >
                Leave without copying
              </button>
            )}
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
