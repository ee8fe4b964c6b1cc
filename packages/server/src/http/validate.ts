import type { z } from "zod";
import { AppError } from "./errors.ts";

/** Parses a body or parameter with zod; the 400 message names the field a person must fix. */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  what = "body",
): z.infer<Schema> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join(".") : what;
  const message = issue?.message ?? "is invalid";
  // zod's own messages ("Invalid input: expected string, received undefined") don't name the field.
  const sentence = message.startsWith(field) ? message : `${field}: ${message}`;
  throw new AppError("validation_failed", `Invalid ${what}. ${sentence}.`.replace(/\.\.$/, "."));
}
