/**
 * A modal dialog on the native <dialog> element: showModal() makes the rest of the page inert, and
 * Tab wraps inside the dialog so keyboard focus never leaves it. Escape asks the owner to dismiss
 * (it may refuse, as the raw-key dialog does until the key is copied). Focus returns to the opener.
 */
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from "react";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  onDismiss: () => void;
  children: ReactNode;
  /** "alertdialog" for confirmations of something destructive. */
  role?: "dialog" | "alertdialog";
  describedBy?: string;
}

export function Dialog({ title, onDismiss, children, role = "dialog", describedBy }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onDismissRef = useRef(onDismiss);
  onDismissRef.current = onDismiss;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    focusInitialElement(dialog);
    return () => {
      dialog.close();
      // The opener may be gone (a revoked key's row, for instance): fall back to the page heading.
      const target = opener?.isConnected ? opener : document.querySelector<HTMLElement>("main h1");
      target?.focus();
    };
  }, []);

  const handleKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key === "Escape") {
      // Handled here rather than by the native cancel, which browsers may force through on a repeat.
      event.preventDefault();
      event.stopPropagation();
      onDismissRef.current();
      return;
    }
    if (event.key === "Tab" && ref.current) trapTab(ref.current, event);
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
      role={role}
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onKeyDown={handleKeyDown}
      onCancel={(event) => {
        event.preventDefault();
        onDismissRef.current();
      }}
    >
      <div className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button
          type="button"
          className="icon-button"
          aria-label="Close dialog"
          onClick={() => onDismissRef.current()}
        >
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

function focusableIn(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) => element.getClientRects().length > 0,
  );
}

/** Focuses the element marked data-autofocus, else the first field or button after the close button. */
function focusInitialElement(dialog: HTMLDialogElement): void {
  const marked = dialog.querySelector<HTMLElement>("[data-autofocus]");
  const candidates = focusableIn(dialog);
  const target = marked ?? candidates[1] ?? candidates[0];
  target?.focus();
}

export function trapTab(container: HTMLElement, event: KeyboardEvent): void {
  const elements = focusableIn(container);
  const first = elements[0];
  const last = elements[elements.length - 1];
  if (first === undefined || last === undefined) {
    event.preventDefault();
    return;
  }
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !container.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !container.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}
