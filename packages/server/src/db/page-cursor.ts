/**
 * Keyset pagination: a cursor is the sort key of the last row of a page, opaque to clients
 * (base64url JSON). A cursor that does not decode is a clear 400, never a 500.
 */
import { z } from "zod";
import { AppError } from "../http/errors.ts";

const cursorSchema = z.array(z.string()).min(1).max(4);

export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string, parts: number, field = "cursor"): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    values = undefined;
  }
  const parsed = cursorSchema.safeParse(values);
  if (!parsed.success || parsed.data.length !== parts) {
    throw new AppError(
      "validation_failed",
      `Invalid query. ${field} is not a cursor this list gave out: use the nextCursor of the page before.`,
    );
  }
  return parsed.data;
}

/**
 * Splits a page read with one extra row into the page and, when another page follows, the
 * `{ nextCursor }` to spread into the answer (absent on the last page, as API.md v1 lists had none).
 */
export function pageOf<Row>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => string[],
): { page: Row[]; next: { nextCursor?: string } } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    next: rows.length > limit && last !== undefined ? { nextCursor: encodeCursor(keyOf(last)) } : {},
  };
}
