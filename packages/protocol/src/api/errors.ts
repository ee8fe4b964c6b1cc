/** Every error code of API.md. The server's catalogue maps each to a status and a default message. */
export const ERROR_CODES = [
  "validation_failed",
  "unauthenticated",
  "api_key_malformed",
  "api_key_invalid",
  "api_key_revoked",
  "forbidden",
  "cross_origin_rejected",
  "not_found",
  "api_key_limit_reached",
  "conflict",
  "rate_limited",
  "internal_error",
  "service_unavailable",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The body of every non-2xx response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The CLI's exit codes (API.md, "Running it"). */
export const EXIT_CODES = { ok: 0, failure: 1, usage: 2, keyRefused: 3 } as const;
