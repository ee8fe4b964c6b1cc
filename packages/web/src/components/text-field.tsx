import { type InputHTMLAttributes, type ReactNode, useId } from "react";

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  /** A soft warning: shown, announced, never blocking. */
  warning?: string | null;
  autoFocusOnMount?: boolean;
  /** Shows "count / max" beside the label; the limit itself is the caller's error to state. */
  characterCount?: { count: number; max: number };
}

/** A labelled input whose hint, warning and error are tied to it with aria-describedby. */
export function TextField({
  label,
  hint,
  error,
  warning,
  autoFocusOnMount,
  characterCount,
  ...input
}: TextFieldProps) {
  const id = useId();
  const counterId = `${id}-counter`;
  const hintId = `${id}-hint`;
  const warningId = `${id}-warning`;
  const errorId = `${id}-error`;
  const describedBy = [
    characterCount ? counterId : null,
    hint ? hintId : null,
    warning ? warningId : null,
    error ? errorId : null,
  ]
    .filter((part) => part !== null)
    .join(" ");
  return (
    <div className="field">
      <div className="field-label-row">
        <label htmlFor={id}>{label}</label>
        {characterCount ? (
          <span
            id={counterId}
            className={`field-counter${characterCount.count > characterCount.max ? " over" : ""}`}
            data-testid="character-counter"
          >
            {characterCount.count} / {characterCount.max}
            <span className="visually-hidden"> characters</span>
          </span>
        ) : null}
      </div>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        data-autofocus={autoFocusOnMount ? "" : undefined}
        {...input}
      />
      {hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
      <div aria-live="polite">
        {warning ? (
          <p id={warningId} className="field-warning">
            {warning}
          </p>
        ) : null}
      </div>
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A form-level error that is not about one field. */
export function FormError({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === "") return null;
  return (
    <div className="form-error" role="alert">
      {children}
    </div>
  );
}
