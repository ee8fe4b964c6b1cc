import { CopyButton } from "./copy-button.tsx";

/**
 * A shell command shown as code with its own Copy button. `copyText` is what the button copies when
 * it differs from what is shown: the raw-key dialog shows the key shortened and copies it whole.
 */
export function CommandLine({
  command,
  copyText = command,
  label,
  onCopied,
}: {
  command: string;
  copyText?: string;
  label: string;
  onCopied?: () => void;
}) {
  return (
    <div className="command-line">
      <code>{command}</code>
      <CopyButton
        text={copyText}
        accessibleLabel={`Copy ${label}`}
        className="button secondary small"
        onCopied={onCopied}
      />
    </div>
  );
}
