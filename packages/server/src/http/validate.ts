import type { FastifyRequest } from "fastify";
import type { z } from "zod";
import { AppError } from "./errors.ts";

/** The 400 for a failed parse: names the first field at fault and what is wrong with it. */
export function validationError(error: z.ZodError, what: string): AppError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : what;
  const message = issue?.message ?? "is invalid";
  // zod's own messages ("Invalid input: expected string, received undefined") don't name the field.
  const sentence = message.startsWith(field) ? message : `${field}: ${message}`;
  return new AppError("validation_failed", `Invalid ${what}. ${sentence}.`.replace(/\.\.$/, "."));
}

/**
 * Refuses U+0000 anywhere in path parameters, query or JSON body. PostgreSQL text cannot hold it
 * (the query fails, which would be a 500) and SQLite would store it, so both engines answer the
 * same clear 400 instead, naming the field.
 */
export function rejectNulCharacters(request: FastifyRequest): void {
  // Runs on every request: most have no parameters, no query and no body, and allocate nothing here.
  rejectNulIn("parameter", request.params);
  rejectNulIn("query", request.query);
  rejectNulIn("body", request.body);
}

function rejectNulIn(what: string, value: unknown): void {
  if (value === undefined || value === null || isEmptyObject(value)) return;
  const field = findNulCharacter(value);
  if (field !== undefined) {
    throw new AppError(
      "validation_failed",
      `Invalid ${what}. ${field || what} must not contain a NUL character.`,
    );
  }
}

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== "object") return false;
  for (const _key in value) return false;
  return true;
}

/** The path of the first string (or object key) holding U+0000, "" for the value itself; iterative, as bodies nest deeply. */
function findNulCharacter(root: unknown): string | undefined {
  const pending: [string, unknown][] = [["", root]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [path, value] = item;
    if (typeof value === "string") {
      if (value.includes("\u0000")) return path;
    } else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes("\u0000")) return childPath;
        pending.push([childPath, child]);
      }
    }
  }
  return undefined;
}
