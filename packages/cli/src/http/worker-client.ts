/** The worker endpoints of API.md that are plain HTTP (the socket lives in daemon/connection.ts). */
import { type WhoamiResponse, whoamiResponseSchema } from "@cogno/protocol";
import { parseOutsideJson } from "../input/outside-json.ts";
import { endpointUrlOf } from "./endpoints.ts";
import { parseErrorBody, type ServerError } from "./error-body.ts";
import { describeNetworkError, describeUnreachable } from "./network-error.ts";

export const WHOAMI_TIMEOUT_MS = 10_000;

export type WhoamiResult =
  | { kind: "accepted"; whoami: WhoamiResponse }
  /** 401: the server will not take this key (malformed, invalid, revoked). */
  | { kind: "refused"; error: ServerError }
  /** The key could not be checked: network, timeout, 5xx, rate limit, or an answer we do not understand. */
  | { kind: "unavailable"; reason: string };

export async function fetchWhoami(
  server: string,
  key: string,
  timeoutMs: number = WHOAMI_TIMEOUT_MS,
): Promise<WhoamiResult> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(endpointUrlOf(server, "whoami"), {
      headers: { authorization: `Bearer ${key}`, accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
    text = await response.text();
  } catch (error) {
    return { kind: "unavailable", reason: describeUnreachable(server, describeNetworkError(error)) };
  }
  if (response.status === 401) return { kind: "refused", error: parseErrorBody(text) };
  if (!response.ok) {
    const { message } = parseErrorBody(text);
    return {
      kind: "unavailable",
      reason: `${server} answered ${response.status}${message === undefined ? "" : `: ${message}`}`,
    };
  }
  const whoami = parseOutsideJson(whoamiResponseSchema, text);
  if (!whoami.ok) {
    return {
      kind: "unavailable",
      reason: `${server} did not answer like a Cogno server (${whoami.problem}); is the URL right?`,
    };
  }
  return { kind: "accepted", whoami: whoami.value };
}
