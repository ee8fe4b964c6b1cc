import type { ReactNode } from "react";
import { Dialog } from "./dialog.tsx";
import { usePendingAction } from "./use-pending-action.ts";

export interface ConfirmDialogProps {
  title: string;
  /** The id of the element in `children` that says what confirming does. */
  describedBy: string;
  confirmLabel: string;
  pendingLabel: string;
  /** Throws to keep the dialog open with the error shown; on success the caller closes it. */
  onConfirm: () => Promise<void>;
  onDismiss: () => void;
  children: ReactNode;
}

/**
 * The confirmation of something destructive. Cancel takes the initial focus, so a stray Enter
 * never confirms.
 */
export function ConfirmDialog({
  title,
  describedBy,
  confirmLabel,
  pendingLabel,
  onConfirm,
  onDismiss,
  children,
}: ConfirmDialogProps) {
  const { pending, error, run } = usePendingAction();
  return (
    <Dialog title={title} role="alertdialog" onDismiss={onDismiss} describedBy={describedBy}>
      {children}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onDismiss} data-autofocus="">
          Cancel
        </button>
        <button
          type="button"
          className="button danger"
          onClick={() => void run(onConfirm)}
          disabled={pending}
        >
          {pending ? pendingLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
