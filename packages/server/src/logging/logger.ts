/**
 * The server's logger. Secrets never reach a log line: headers that carry them are redacted by
 * path, invitation tokens are cut out of URLs, and every line passes the key redactor on its way
 * out, so a key pasted into any field (a name, an error) is shown as its display prefix only.
 */
import { redactSecrets } from "@cogno/protocol";
import pino, { type Logger } from "pino";
import { formatForHumans } from "./human-format.ts";

const INVITATION_URL = /(\/invitations\/)[^/?]+/g;

export function sanitizeUrl(url: string): string {
  return url.replace(INVITATION_URL, "$1[redacted]");
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
