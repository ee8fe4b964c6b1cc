/** Every error code of API.md (v1 and v1.1), and the error body every non-2xx response carries. */
import { z } from "zod";

export const ERROR_CODES = [
  "validation_failed",
  "unauthenticated",
  "api_key_malformed",
  "api_key_invalid",
  "api_key_revoked",
  "api_key_expired",
  "forbidden",
  "cross_origin_rejected",
  "not_found",
  "api_key_limit_reached",
  "conflict",
  "worker_online",
  "rate_limited",
  // RFC 8628 device authorization, in this contract's error body
  "authorization_pending",
  "slow_down",
  "expired_token",
  "access_denied",
  "internal_error",
  "service_unavailable",
] as const;

export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorBodySchema = z
  .object({
    error: z.object({
      code: errorCodeSchema,
      message: z.string(),
      /** The id of the request, as in its `x-request-id` header and log lines. */
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: "ErrorBody" });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** The CLI's exit codes (API.md, "Running it"). */
export const EXIT_CODES = { ok: 0, failure: 1, usage: 2, keyRefused: 3 } as const;
