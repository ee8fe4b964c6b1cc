/**
 * The one way the CLI reads JSON it did not just build itself: a server's answer, a WebSocket frame,
 * or a file in the config directory that another program may have edited. Each is parsed with a zod
 * schema (the contract's, from protocol, for everything the server sends) and never cast, and every
 * string in it has its control characters escaped first, so a name or message from outside can
 * neither forge a line nor drive the terminal (title changes, screen clears, OSC 52 clipboard
 * writes) when the CLI prints it.
 */
import { escapeControlCharacters } from "@cogno/protocol";
import type { z } from "zod";

export type OutsideJsonResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Escapes every string in a parsed JSON value (object keys included); other values stay as they are. */
export function escapeStringsDeep(value: unknown): unknown {
  if (typeof value === "string") return escapeControlCharacters(value);
  if (Array.isArray(value)) return value.map(escapeStringsDeep);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [escapeControlCharacters(key), escapeStringsDeep(item)]),
    );
  }
  return value;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "it does not match";
  const path = issue.path.length === 0 ? "the value" : issue.path.map(String).join(".");
  return `${path}: ${issue.message}`;
}

/** Parses `text` as JSON and checks it against `schema`; `problem` says what did not fit. */
export function parseOutsideJson<Schema extends z.ZodType>(
  schema: Schema,
  text: string,
): OutsideJsonResult<z.output<Schema>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: "it is not JSON" };
  }
  const result = schema.safeParse(escapeStringsDeep(parsed));
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problem: describeIssue(result.error) };
}
