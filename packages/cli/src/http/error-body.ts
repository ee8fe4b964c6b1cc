import { ERROR_CODES, type ErrorCode } from "@cogno/protocol";

export interface ServerError {
  /** Undefined when the body was not API.md's error body (a proxy page, an empty body). */
  code: ErrorCode | undefined;
  message: string | undefined;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return ERROR_CODES.some((code) => code === value);
}

/** Reads `{ error: { code, message } }` without trusting its shape. */
export function parseErrorBody(text: string): ServerError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { code: undefined, message: undefined };
  }
  if (typeof parsed !== "object" || parsed === null || !("error" in parsed)) {
    return { code: undefined, message: undefined };
  }
  const error: unknown = parsed.error;
  if (typeof error !== "object" || error === null) return { code: undefined, message: undefined };
  const code = "code" in error && isErrorCode(error.code) ? error.code : undefined;
  const message = "message" in error && typeof error.message === "string" ? error.message : undefined;
  return { code, message };
}
