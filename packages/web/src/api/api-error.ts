import type { ErrorCode } from "@cogno/protocol";

/** Failures the browser can see that the server never sends: no answer at all, or an answer off contract. */
export type ClientErrorCode = "network_error" | "unexpected_response";

/** Every failed call becomes one of these, so pages branch on `code` and show `message`. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** Seconds from a 429's Retry-After header, when the server sent one. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

export function isApiError(error: unknown, code?: ApiError["code"]): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** A sentence for any thrown value, for the rare failure a page does not handle by code. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Reload the page and try again.";
}
