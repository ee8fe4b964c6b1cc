import { useState } from "react";
import { describeError } from "../api/api-error.ts";

export interface PendingAction {
  pending: boolean;
  error: string | null;
  /** For checks made before any request, such as an empty field. */
  setError: (error: string | null) => void;
  run: (action: () => Promise<void>) => Promise<void>;
}

/**
 * The state of a button that sends one request: pending while it runs, and the failure's message
 * (from `describe`, which may return null when it showed the failure elsewhere, under a field).
 * Success leaves `pending` set on purpose: every caller then closes a dialog or leaves the page, and
 * the button must not come back to life on the way out.
 */
export function usePendingAction(
  describe: (caught: unknown) => string | null = describeError,
): PendingAction {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (action: () => Promise<void>) => {
    setError(null);
    setPending(true);
    try {
      await action();
    } catch (caught) {
      setError(describe(caught));
      setPending(false);
    }
  };

  return { pending, error, setError, run };
}
