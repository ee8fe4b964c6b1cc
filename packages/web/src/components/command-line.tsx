import { CopyButton } from "./copy-button.tsx";

/** A shell command shown as code with its own Copy button. */
export function CommandLine({ command, label }: { command: string; label: string }) {
  return (
    <div className="command-line">
      <code>{command}</code>
      <CopyButton text={command} accessibleLabel={`Copy ${label}`} className="button secondary small" />
    </div>
  );
}
