/** Turns a JSON log line into one a person reads at a terminal: time, level, message, fields. */
const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

export function formatForHumans(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, ...fields } = entry;
  const clock = typeof time === "number" ? new Date(time).toISOString().slice(11, 19) : "";
  const label = (typeof level === "number" ? LEVELS[level] : undefined) ?? "INFO";
  const extras = Object.entries(fields)
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `${clock} ${label.padEnd(5)} ${String(msg ?? "")}${extras ? ` ${extras}` : ""}\n`;
}
