import { routes } from "@cogno/protocol";
import type { FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { AppError, isAppError } from "../http/errors.ts";
import { FailureLimiter } from "../http/failure-limiter.ts";
import {
  approveDeviceAuthorization,
  denyDeviceAuthorization,
  pollDeviceToken,
  previewDeviceAuthorization,
  startDeviceAuthorization,
} from "./service.ts";

/** Logins one address may start per minute: each is a row and a code a person may be shown. */
export const AUTHORIZATIONS_PER_ADDRESS_PER_MINUTE = 10;
/**
 * Wasted polls (unknown, used or expired codes; polls sooner than the interval) one address may
 * make per minute. Polls at the interval are never counted: a NAT full of CLIs waiting is fine.
 */
export const WASTED_POLLS_PER_ADDRESS_PER_MINUTE = 30;
/** User codes a signed-in person may get wrong per minute (RFC 8628 §5.1: guessing codes). */
export const WRONG_USER_CODES_PER_USER_PER_MINUTE = 20;

/** Runs `check`, answering its 429 with this route's own words (and the same Retry-After). */
function limitWith(check: () => void, message: (seconds: number) => string): void {
  try {
    check();
  } catch (error) {
    if (isAppError(error) && error.code === "rate_limited") {
      const seconds = error.retryAfter ?? 60;
      throw new AppError("rate_limited", message(seconds), { retryAfter: seconds });
    }
    throw error;
  }
}

function verificationUriOf(deps: Deps, request: FastifyRequest): string {
  const origin = deps.config.publicUrl?.origin ?? `${request.protocol}://${request.host}`;
  return `${origin}/device`;
}

export function registerDeviceRoutes(router: ContractRouter, deps: Deps): void {
  const authorizations = new FailureLimiter(AUTHORIZATIONS_PER_ADDRESS_PER_MINUTE, deps.clock);
  const wastedPolls = new FailureLimiter(WASTED_POLLS_PER_ADDRESS_PER_MINUTE, deps.clock);
  const wrongCodes = new FailureLimiter(WRONG_USER_CODES_PER_USER_PER_MINUTE, deps.clock);

  /** A user-code route: a code that finds no login counts against the person. */
  const withUserCode = async <T>(userId: string, work: () => Promise<T>): Promise<T> => {
    limitWith(
      () => wrongCodes.assertAllowed(userId),
      (seconds) => `Too many codes that match no login. Try again in ${seconds} seconds.`,
    );
    try {
      return await work();
    } catch (error) {
      if (isAppError(error) && (error.code === "not_found" || error.code === "validation_failed")) {
        wrongCodes.recordFailure(userId);
      }
      throw error;
    }
  };

  router.add(routes.deviceAuthorize, async ({ body, request, reply }) => {
    limitWith(
      () => {
        authorizations.assertAllowed(request.ip);
        authorizations.recordFailure(request.ip);
      },
      (seconds) => `Too many logins started from this address. Try again in ${seconds} seconds.`,
    );
    void reply.header("cache-control", "no-store");
    return startDeviceAuthorization(deps, {
      clientName: body.clientName,
      clientIp: request.ip,
      verificationUri: verificationUriOf(deps, request),
    });
  });

  router.add(routes.deviceToken, async ({ body, request, reply }) => {
    limitWith(
      () => wastedPolls.assertAllowed(request.ip),
      (seconds) => `Too many polls from this address. Wait ${seconds} seconds, then poll at the interval.`,
    );
    // The raw key may be in this answer: no cache may keep it (RFC 8628 §3.5, RFC 6749 §5.1).
    void reply.header("cache-control", "no-store");
    try {
      return await pollDeviceToken(deps, body.deviceCode);
    } catch (error) {
      if (isAppError(error) && (error.code === "expired_token" || error.code === "slow_down")) {
        wastedPolls.recordFailure(request.ip);
      }
      throw error;
    }
  });

  router.add(routes.devicePreview, ({ user, params }) =>
    withUserCode(user.id, () => previewDeviceAuthorization(deps, params.userCode)),
  );

  router.add(routes.deviceApprove, ({ user, body }) =>
    withUserCode(user.id, () => approveDeviceAuthorization(deps, { actor: user, ...body })),
  );

  router.add(routes.deviceDeny, async ({ user, body }) => {
    await withUserCode(user.id, () =>
      denyDeviceAuthorization(deps, { actor: user, userCode: body.userCode }),
    );
    return undefined;
  });
}
