import { type Dispatch, type SetStateAction, useCallback, useState } from "react";
import { describeError } from "../api/api-error.ts";

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
 */
export function useReloadable<T>(read: () => Promise<T>): Reloadable<T> {
  const [data, setData] = useState<T | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const loaded = await read();
      setData(loaded);
      setLoadError(null);
    } catch (caught) {
      setLoadError(describeError(caught));
    }
  }, [read]);

  return { data, setData, loadError, loading: data === null && loadError === null, reload };
}
