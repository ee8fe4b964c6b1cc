/**
 * The server's logger. Secrets never reach a log line: headers that carry them are redacted by
 * path, invitation tokens are cut out of URLs, and every line passes the key redactor on its way
 * out, so a key pasted into any field (a name, an error) is shown as its display prefix only.
 */
import { redactSecrets } from "@cogno/protocol";
import pino, { type Bindings, type ChildLoggerOptions, type Logger } from "pino";
import { formatForHumans } from "./human-format.ts";

/** Path segments that carry an invitation token: the API's and the web app's invitation page. */
const INVITATION_TOKEN = /(\/(?:invitations|invite)\/)[^/]+/gi;

/**
 * The URL as it may be logged: invitation tokens cut out, and the query string of pages dropped
 * (a page's query can carry anything, e.g. "?next=/invite/<token>"); API queries are kept.
 * Redaction runs on the decoded text: "/%69nvitations/<token>" or "?x=cogno%5Fwk%5F…" would
 * otherwise step around it.
 */
export function sanitizeUrl(url: string): string {
  const queryAt = url.indexOf("?");
  const path = redactSecrets(decodeForLog(queryAt === -1 ? url : url.slice(0, queryAt))).replace(
    INVITATION_TOKEN,
    "$1[redacted]",
  );
  if (queryAt === -1) return path;
  return path.startsWith("/api/")
    ? `${path}?${redactSecrets(decodeForLog(url.slice(queryAt + 1)))}`
    : `${path}?[dropped]`;
}

/** Rounds of decoding: enough for any sane client, and a bound for a hostile one. */
const MAX_DECODING_ROUNDS = 5;

/**
 * Percent-decodes until nothing changes (a double-encoded "%2569" is still "i" to whoever reads the
 * log), then escapes again what must not reach a terminal or a log viewer raw: control characters,
 * spaces and anything outside ASCII. Malformed escapes are kept as they were.
 */
function decodeForLog(text: string): string {
  let decoded = text;
  for (let round = 0; round < MAX_DECODING_ROUNDS; round++) {
    const next = decoded.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeEscapes);
    if (next === decoded) break;
    decoded = next;
  }
  return decoded.replace(/[^\x21-\x7e]/gu, (character) =>
    [...Buffer.from(character, "utf8")].map(escapeByte).join(""),
  );
}

/** A run of escapes as UTF-8; if it is not valid UTF-8, its ASCII bytes only (others stay escaped). */
function decodeEscapes(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run.replace(/%([0-9A-Fa-f]{2})/g, (escaped, hex: string) => {
      const byte = Number.parseInt(hex, 16);
      return byte < 0x80 ? String.fromCharCode(byte) : escaped.toUpperCase();
    });
  }
}

function escapeByte(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
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

/**
 * Fastify's per-request logger: a child that names the request (reqId) on its lines. When the
 * server writes no line at all (level "silent"), its own logger serves instead: a child per
 * request would cost a serialised, redacted copy of bindings that no line carries.
 */
export function requestLogger(logger: Logger, bindings: Bindings, options: ChildLoggerOptions): Logger {
  if (logger.isLevelEnabled("fatal") || options.level !== undefined) return logger.child(bindings, options);
  return logger;
}

/**
 * The one line written per answered request, at info. `log` is the request's logger (which names
 * the request) or, for answers given outside Fastify, the server's logger and the request's id.
 */
export function logAnswer(
  log: Logger,
  answer: { method: string; url: string; status: number; elapsedMs: number; reqId?: string },
): void {
  // Not even built when request lines are off: decoding and redacting the URL costs every request.
  if (!log.isLevelEnabled("info")) return;
  const line = {
    method: answer.method,
    url: sanitizeUrl(answer.url),
    status: answer.status,
    ms: Math.round(answer.elapsedMs),
  };
  log.info(answer.reqId === undefined ? line : { reqId: answer.reqId, ...line }, "request");
}
