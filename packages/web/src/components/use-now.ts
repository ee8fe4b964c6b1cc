import { useEffect, useState } from "react";

/**
 * The current time, refreshed on an interval, so "2 minutes ago" keeps telling the truth; and at
 * `wakeAt` (epoch milliseconds) too, for something due at a known moment, such as a worker turning
 * offline.
 */
export function useNow(intervalMs = 15_000, wakeAt: number | null = null): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  useEffect(() => {
    if (wakeAt === null) return;
    const timer = window.setTimeout(() => setNow(new Date()), Math.max(0, wakeAt - Date.now()));
    return () => window.clearTimeout(timer);
  }, [wakeAt]);
  return now;
}
