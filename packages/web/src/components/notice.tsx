import type { ReactNode } from "react";

/** A dismissible banner announced to screen readers: the outcome of an action taken in a dialog. */
export function Notice({
  tone = "success",
  children,
  onDismiss,
}: {
  tone?: "success" | "error" | "info";
  children: ReactNode;
  onDismiss?: () => void;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      <div className="notice-text">{children}</div>
      {onDismiss ? (
        <button type="button" className="icon-button" aria-label="Dismiss message" onClick={onDismiss}>
          <span aria-hidden="true">×</span>
        </button>
      ) : null}
    </div>
  );
}
