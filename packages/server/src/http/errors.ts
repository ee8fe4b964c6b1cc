/**
 * The error catalogue: every expected failure is an AppError with a code of API.md. Services throw
 * them; only the HTTP edge (error-handler.ts) turns them into `{ error: { code, message } }`.
 */
import type { ErrorCode } from "@cogno/protocol";

export const STATUS_OF: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  api_key_malformed: 401,
  api_key_invalid: 401,
  api_key_revoked: 401,
  api_key_expired: 401,
  forbidden: 403,
  cross_origin_rejected: 403,
  not_found: 404,
  api_key_limit_reached: 409,
  conflict: 409,
  worker_online: 409,
  rate_limited: 429,
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
  access_denied: 400,
  internal_error: 500,
  service_unavailable: 503,
};

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  validation_failed: "The request is not valid.",
  unauthenticated: "Sign in to continue: your session is missing or has expired.",
  api_key_malformed: "The API key is not a well-formed Cogno key.",
  api_key_invalid:
    "No such API key. Create a key in Settings > API Keys, then run cogno login --token <key>.",
  api_key_revoked:
    "This API key was revoked. Create a new key in Settings > API Keys, then run cogno login --token <key>.",
  api_key_expired:
    "This API key has expired. Create a new key in Settings > API Keys, then run cogno login --token <key>.",
  forbidden: "You are not allowed to do this in this workspace.",
  cross_origin_rejected: "This request came from another site and was refused.",
  not_found: "Not found.",
  api_key_limit_reached: "You already have the maximum number of active API keys in this workspace.",
  conflict: "That conflicts with something that already exists.",
  worker_online: "This worker is connected. Stop it first (Settings > Workers > Stop), then forget it.",
  rate_limited: "Too many attempts. Wait a moment and try again.",
  authorization_pending: "The login has not been approved yet. Keep polling at the given interval.",
  slow_down: "Polled too fast. Wait the interval between polls.",
  expired_token: "This login code has expired or was already used. Run cogno login again for a new code.",
  access_denied: "The login was denied in the browser.",
  internal_error:
    "Something went wrong on the server. Try again; if it keeps happening, check the server log.",
  service_unavailable: "The server cannot reach its database right now. Try again in a few seconds.",
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds, for 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message?: string, options?: { retryAfter?: number }) {
    super(message ?? DEFAULT_MESSAGE[code]);
    this.name = "AppError";
    this.code = code;
    this.status = STATUS_OF[code];
    this.retryAfter = options?.retryAfter;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
