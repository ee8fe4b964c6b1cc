import { formatExactTime, formatRelativeTime } from "../lib/relative-time.ts";

/** A relative time with the exact time on hover (title) and in machine form (dateTime). */
export function TimeAgo({
  iso,
  now,
  fallback = "never",
}: {
  iso: string | null;
  now: Date;
  fallback?: string;
}) {
  if (iso === null) return <span className="muted">{fallback}</span>;
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return <span className="muted">{fallback}</span>;
  return (
    <time dateTime={iso} title={formatExactTime(then)}>
      {formatRelativeTime(then, now)}
    </time>
  );
}
