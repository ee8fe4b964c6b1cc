import type { ErrorBody } from "@cogno/protocol";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type DatabaseFault, databaseFaultOf } from "../db/faults.ts";
import { AppError, isAppError } from "./errors.ts";
import { REQUEST_ID_HEADER } from "./request-id.ts";

export interface ErrorHandlingOptions {
  /** A request failed because the database cannot serve: told once per request, logged by the receiver. */
  onDatabaseFault(fault: DatabaseFault, error: unknown): void;
}

/** How long a client is asked to wait before it retries, in seconds. */
const RETRY_AFTER_SECONDS: Record<DatabaseFault, number> = { unreachable: 5, cannot_write: 30 };

/**
 * The one place errors become HTTP: every non-2xx has the API.md body, and a 500 never shows a stack.
 * A database that cannot serve is not the request's fault: 503 with Retry-After, not 500.
 */
export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (isAppError(error)) {
      if (error.retryAfter !== undefined) void reply.header("retry-after", String(error.retryAfter));
      return reply.status(error.status).send(errorBody(error, request.id));
    }
    const fault = databaseFaultOf(error);
    if (fault) {
      options.onDatabaseFault(fault, error);
      return answerDatabaseFault(reply, fault);
    }
    // Fastify's own client errors: malformed JSON, wrong content type, body too large.
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message =
        error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? "The request body is too large."
          : error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
            ? "Send the body as application/json."
            : "The request body is not valid JSON.";
      return reply.status(400).send(errorBody(new AppError("validation_failed", message), request.id));
    }
    request.log.error({ err: error }, "request failed");
    return reply.status(500).send(errorBody(new AppError("internal_error"), request.id));
  });
}

/** 503 service_unavailable, saying what the client can do. */
export function answerDatabaseFault(reply: FastifyReply, fault: DatabaseFault, message?: string) {
  const unavailable = new AppError(
    "service_unavailable",
    message ??
      (fault === "cannot_write"
        ? "The server cannot save changes right now: its database cannot write. Try again later."
        : undefined),
    { retryAfter: RETRY_AFTER_SECONDS[fault] },
  );
  return reply
    .status(unavailable.status)
    .header("retry-after", String(unavailable.retryAfter))
    .send(errorBody(unavailable, reply.request.id));
}

/** The API.md error body, naming the request (its `x-request-id`) so a report can be found in the log. */
export function errorBody(error: AppError, requestId: string): ErrorBody {
  return { error: { code: error.code, message: error.message, requestId } };
}

/**
 * Errors Fastify's router answers before any route or error handler runs (a malformed percent
 * escape, an over-long path parameter): given to Fastify as `frameworkErrors`, so they too carry the
 * API.md body instead of Fastify's own.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const message =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? "A parameter in the URL is too long to be an id or a token."
      : "The URL is not valid: check its percent-escapes.";
  return reply
    .status(400)
    .header(REQUEST_ID_HEADER, request.id)
    .send(errorBody(new AppError("validation_failed", message), request.id));
}
