import { useEffect, useRef, useState } from "react";

/** Writes text to the clipboard; falls back to a selection copy where the async clipboard is refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    area.remove();
    return copied;
  }
}

export interface CopyButtonProps {
  text: string;
  label?: string;
  /** Accessible name when the visible label alone is ambiguous ("Copy install command"). */
  accessibleLabel?: string;
  onCopied?: () => void;
  className?: string;
  autoFocus?: boolean;
}

export function CopyButton({
  text,
  label = "Copy",
  accessibleLabel,
  onCopied,
  className,
  autoFocus,
}: CopyButtonProps) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const handleClick = async () => {
    const copied = await copyText(text);
    setState(copied ? "copied" : "failed");
    if (copied) onCopied?.();
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState("idle"), 2500);
  };

  return (
    <span className="copy-button">
      <button
        type="button"
        className={className ?? "button secondary"}
        onClick={() => void handleClick()}
        aria-label={accessibleLabel}
        data-autofocus={autoFocus ? "" : undefined}
      >
        {state === "copied" ? "Copied" : label}
      </button>
      <span className="visually-hidden" role="status">
        {state === "copied" ? "Copied to the clipboard." : ""}
        {state === "failed" ? "Copy failed: select the text and copy it by hand." : ""}
      </span>
      {state === "failed" ? (
        <span className="field-error" aria-hidden="true">
          Copy failed: select the text and copy it by hand.
        </span>
      ) : null}
    </span>
  );
}
