/**
 * The gateway's messages as the worker reads them: protocol's serverMessageSchema, with the
 * tolerance a long-running daemon needs against a newer server. A message type this CLI does not
 * know is ignored (a newer server may add some); a `revoked` or `disconnected` still stops the
 * worker when its details cannot be read (an unknown reason, say); an `error` with a code this CLI
 * does not know still carries its message. A known message that does not fit at all is a protocol
 * violation the caller reports.
 */
import {
  apiKeyRefSchema,
  disconnectedMessageSchema,
  errorCodeSchema,
  errorMessageSchema,
  registeredMessageSchema,
  revokedMessageSchema,
  revokedReasonSchema,
  serverMessageSchema,
} from "@cogno/protocol";
import { z } from "zod";
import { parseOutsideJson } from "../input/outside-json.ts";

const KNOWN_TYPES: readonly string[] = serverMessageSchema.options.map((option) => option.shape.type.value);

const gatewayMessageSchema = z.discriminatedUnion("type", [
  registeredMessageSchema,
  revokedMessageSchema.extend({
    apiKey: apiKeyRefSchema.optional().catch(undefined),
    reason: revokedReasonSchema.optional().catch(undefined),
  }),
  disconnectedMessageSchema.extend({
    by: disconnectedMessageSchema.shape.by.optional().catch(undefined),
  }),
  errorMessageSchema.extend({
    error: errorMessageSchema.shape.error.extend({ code: errorCodeSchema.optional().catch(undefined) }),
  }),
]);
export type GatewayMessage = z.infer<typeof gatewayMessageSchema>;

const typedFrameSchema = z.object({ type: z.string() });

export type ServerFrame =
  | { kind: "message"; message: GatewayMessage }
  /** Not JSON with a `type` this CLI knows: ignored. */
  | { kind: "ignored" }
  /** A known type that does not fit the contract: `problem` says what. */
  | { kind: "malformed"; type: string; problem: string };

/** Reads one text frame from the gateway. */
export function parseServerFrame(text: string): ServerFrame {
  const typed = parseOutsideJson(typedFrameSchema, text);
  if (!typed.ok || !KNOWN_TYPES.includes(typed.value.type)) return { kind: "ignored" };
  const parsed = parseOutsideJson(gatewayMessageSchema, text);
  if (!parsed.ok) return { kind: "malformed", type: typed.value.type, problem: parsed.problem };
  return { kind: "message", message: parsed.value };
}
