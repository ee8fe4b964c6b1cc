import type { ReactNode } from "react";

/**
 * The top of a Settings page. The heading takes tabIndex -1 because focus is moved to it after
 * navigation, and when a dialog closes whose opener has gone.
 */
export function SettingsPageHeader({
  headingId,
  title,
  description,
  action,
}: {
  /** The page's section is labelled by this heading. */
  headingId: string;
  title: string;
  description: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <p className="breadcrumb">Settings</p>
        <h1 id={headingId} tabIndex={-1}>
          {title}
        </h1>
        <p className="muted">{description}</p>
      </div>
      {action}
    </div>
  );
}
