import { type InputHTMLAttributes, type ReactNode, useId } from "react";

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  /** A soft warning: shown, announced, never blocking. */
  warning?: string | null;
  autoFocusOnMount?: boolean;
}

/** A labelled input whose hint, warning and error are tied to it with aria-describedby. */
export function TextField({ label, hint, error, warning, autoFocusOnMount, ...input }: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const warningId = `${id}-warning`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, warning ? warningId : null, error ? errorId : null]
    .filter((part) => part !== null)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
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
