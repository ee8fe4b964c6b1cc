import { type ErrorCode, errorBodySchema, errorCodeSchema } from "@cogno/protocol";
import { z } from "zod";
import { parseOutsideJson } from "../input/outside-json.ts";

export interface ServerError {
  /** Undefined when the body was not API.md's error body (a proxy page, an empty body), or a code this CLI does not know. */
  code: ErrorCode | undefined;
  message: string | undefined;
}

/**
 * The contract's error body, except that a code this CLI does not know (from a newer server) still
 * yields its message: the message is a sentence a person can act on, whatever the code.
 */
const tolerantErrorBodySchema = z.object({
  error: errorBodySchema.shape.error.extend({ code: errorCodeSchema.optional().catch(undefined) }),
});

/** Reads `{ error: { code, message } }`; anything else gives neither a code nor a message. */
export function parseErrorBody(text: string): ServerError {
  const parsed = parseOutsideJson(tolerantErrorBodySchema, text);
  if (!parsed.ok) return { code: undefined, message: undefined };
  return { code: parsed.value.error.code, message: parsed.value.error.message };
}
