import { type Dispatch, type SetStateAction, useCallback, useState } from "react";
import { describeError } from "../api/api-error.ts";
import { ReadSequence } from "../lib/read-sequence.ts";

export interface Reloadable<T> {
  /** Null until the first read succeeds. */
  data: T | null;
  /** For live updates merged in between reads. */
  setData: Dispatch<SetStateAction<T | null>>;
  loadError: string | null;
  /** Nothing read yet and nothing failed: the first read is under way. */
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * What a Settings page reads from the API. A failed re-read keeps the data already shown beside the
 * error. Pages call `reload` from their own effects, since each re-reads on different triggers (a
 * filter, a timer, a reconnection); `read` must keep its identity (useCallback) between renders.
 * Reads that answer out of order, or after a live update, are put in order (ReadSequence).
 */
export function useReloadable<T>(read: () => Promise<T>): Reloadable<T> {
  const [data, setShown] = useState<T | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sequence] = useState(() => new ReadSequence<T>());

  const setData = useCallback<Dispatch<SetStateAction<T | null>>>(
    (action) => {
      const update =
        typeof action === "function" ? (action as (current: T | null) => T | null) : () => action;
      sequence.record(update);
      setShown(update);
    },
    [sequence],
  );

  const reload = useCallback(async () => {
    const ticket = sequence.start();
    try {
      const loaded = await read();
      const settled = sequence.settle(ticket, loaded);
      if (!settled.show) return;
      setShown(settled.value);
      setLoadError(null);
    } catch (caught) {
      if (sequence.fail(ticket)) setLoadError(describeError(caught));
    }
  }, [read, sequence]);

  return { data, setData, loadError, loading: data === null && loadError === null, reload };
}
