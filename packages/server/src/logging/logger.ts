/**
 * The server's logger. Secrets never reach a log line: headers that carry them are redacted by
 * path, invitation tokens are cut out of URLs, and every line passes the key redactor on its way
 * out, so a key pasted into any field (a name, an error) is shown as its display prefix only.
 */
import { redactSecrets } from "@cogno/protocol";
import pino, { type Logger } from "pino";
import { formatForHumans } from "./human-format.ts";

/** Path segments that carry an invitation token: the API's and the web app's invitation page. */
const INVITATION_TOKEN = /(\/(?:invitations|invite)\/)[^/?#]+/gi;

/**
 * The URL as it may be logged: invitation tokens cut out, and the query string of pages dropped
 * (a page's query can carry anything, e.g. "?next=/invite/<token>"); API queries are kept.
 */
export function sanitizeUrl(url: string): string {
  const queryAt = url.indexOf("?");
  const path = (queryAt === -1 ? url : url.slice(0, queryAt)).replace(INVITATION_TOKEN, "$1[redacted]");
  if (queryAt === -1) return path;
  return path.startsWith("/api/") ? path + url.slice(queryAt) : `${path}?[dropped]`;
}

export function createLogger(
  level: string,
  destination: NodeJS.WritableStream = process.stdout,
  format: "json" | "human" = "json",
): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers.cookie",
          'res.headers["set-cookie"]',
          "headers.authorization",
          "headers.cookie",
          "password",
          "*.password",
          "token",
          "*.token",
          "key",
          "*.key",
        ],
        censor: "[redacted]",
      },
    },
    {
      write(line: string) {
        const safe = redactSecrets(line);
        destination.write(format === "human" ? formatForHumans(safe) : safe);
      },
    },
  );
}
