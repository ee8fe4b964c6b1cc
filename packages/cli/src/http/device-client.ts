/**
 * The two device-authorization routes the CLI calls (API.md v1.1, "Browser login for the CLI",
 * RFC 8628 with this contract's error body). Answers are read with protocol's schemas and turned
 * into results the login flow decides on; nothing here waits, loops or prints.
 */
import {
  type DeviceAuthorization,
  type DeviceToken,
  deviceAuthorizationResponseSchema,
  deviceTokenResponseSchema,
} from "@cogno/protocol";
import { parseOutsideJson } from "../input/outside-json.ts";
import { type Endpoint, endpointUrlOf } from "./endpoints.ts";
import { parseErrorBody } from "./error-body.ts";
import { describeNetworkError, describeUnreachable } from "./network-error.ts";
import { parseRetryAfter } from "./retry-after.ts";

const REQUEST_TIMEOUT_MS = 10_000;

export type DeviceAuthorizationResult =
  | { kind: "started"; authorization: DeviceAuthorization }
  /** 404: a server older than the browser login. */
  | { kind: "unsupported" }
  | { kind: "failed"; reason: string };

export type DeviceTokenResult =
  | { kind: "granted"; token: DeviceToken }
  | { kind: "pending" }
  /** Polled faster than the interval: wait 5 s longer from now on (RFC 8628 §3.5). */
  | { kind: "slow-down" }
  | { kind: "expired"; message: string | undefined }
  | { kind: "denied"; message: string | undefined }
  /** 429, or the network or a 5xx: keep waiting, the approval may still come. */
  | { kind: "unavailable"; reason: string; retryAfterMs: number | undefined }
  /** Any other answer: waiting longer would not change it. */
  | { kind: "rejected"; reason: string };

type Answer =
  | { kind: "answered"; status: number; text: string; retryAfter: string | null }
  | { kind: "unreached"; reason: string };

async function postJson(
  server: string,
  endpoint: Endpoint,
  body: unknown,
  signal: AbortSignal,
): Promise<Answer> {
  try {
    const response = await fetch(endpointUrlOf(server, endpoint), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      // A redirect could carry the device code, and the key in the answer, to another host.
      redirect: "error",
    });
    return {
      kind: "answered",
      status: response.status,
      text: await response.text(),
      retryAfter: response.headers.get("retry-after"),
    };
  } catch (error) {
    return { kind: "unreached", reason: describeUnreachable(server, describeNetworkError(error)) };
  }
}

function describeStatus(server: string, status: number, text: string): string {
  const { message } = parseErrorBody(text);
  return `${server} answered ${status}${message === undefined ? "" : `: ${message}`}`;
}

export async function requestDeviceAuthorization(
  server: string,
  clientName: string,
  signal: AbortSignal,
): Promise<DeviceAuthorizationResult> {
  const answer = await postJson(server, "deviceAuthorize", { clientName }, signal);
  if (answer.kind === "unreached") return { kind: "failed", reason: answer.reason };
  if (answer.status === 404) return { kind: "unsupported" };
  if (answer.status !== 200)
    return { kind: "failed", reason: describeStatus(server, answer.status, answer.text) };
  const parsed = parseOutsideJson(deviceAuthorizationResponseSchema, answer.text);
  if (!parsed.ok)
    return { kind: "failed", reason: `${server} did not answer like a Cogno server (${parsed.problem})` };
  return { kind: "started", authorization: parsed.value };
}

export async function pollDeviceToken(
  server: string,
  deviceCode: string,
  signal: AbortSignal,
): Promise<DeviceTokenResult> {
  const answer = await postJson(server, "deviceToken", { deviceCode }, signal);
  if (answer.kind === "unreached")
    return { kind: "unavailable", reason: answer.reason, retryAfterMs: undefined };
  if (answer.status === 200) {
    const parsed = parseOutsideJson(deviceTokenResponseSchema, answer.text);
    return parsed.ok
      ? { kind: "granted", token: parsed.value }
      : { kind: "rejected", reason: `${server} did not answer like a Cogno server (${parsed.problem})` };
  }
  if (answer.status === 429 || answer.status >= 500) {
    return {
      kind: "unavailable",
      reason: describeStatus(server, answer.status, answer.text),
      retryAfterMs: parseRetryAfter(answer.retryAfter ?? undefined),
    };
  }
  const error = parseErrorBody(answer.text);
  switch (error.code) {
    case "authorization_pending":
      return { kind: "pending" };
    case "slow_down":
      return { kind: "slow-down" };
    case "expired_token":
      return { kind: "expired", message: error.message };
    case "access_denied":
      return { kind: "denied", message: error.message };
    default:
      return { kind: "rejected", reason: describeStatus(server, answer.status, answer.text) };
  }
}
