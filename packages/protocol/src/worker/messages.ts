/** The worker WebSocket protocol of API.md: JSON text frames, each with a `type`, both directions. */
import { z } from "zod";
import { errorCodeSchema } from "../api/errors.ts";
import { apiKeyRefSchema, revokedReasonSchema } from "../api/resources.ts";
import { cleanTextSchema, NAME_MAX } from "../api/text.ts";

// ── worker → server ─────────────────────────────────────────────────────────

export const registerMessageSchema = z.object({
  type: z.literal("register"),
  machineId: cleanTextSchema("machineId", 128),
  name: cleanTextSchema("name", NAME_MAX),
  hostname: cleanTextSchema("hostname", NAME_MAX),
  os: cleanTextSchema("os", 64),
  arch: cleanTextSchema("arch", 64),
  version: cleanTextSchema("version", 64),
});
export type RegisterMessage = z.infer<typeof registerMessageSchema>;

export const heartbeatMessageSchema = z.object({ type: z.literal("heartbeat") });
export const stoppingMessageSchema = z.object({ type: z.literal("stopping") });

export const workerMessageSchema = z.discriminatedUnion("type", [
  registerMessageSchema,
  heartbeatMessageSchema,
  stoppingMessageSchema,
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

// ── server → worker ─────────────────────────────────────────────────────────

export const registeredMessageSchema = z.object({
  type: z.literal("registered"),
  workerId: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
});

export const revokedMessageSchema = z.object({
  type: z.literal("revoked"),
  apiKey: apiKeyRefSchema,
  /** Why (API.md v1.1); older servers did not send it. */
  reason: revokedReasonSchema.optional(),
});
export type RevokedMessage = z.infer<typeof revokedMessageSchema>;

/** Stopped from the web app (close code 4002): the daemon prints who stopped it and exits 0. */
export const disconnectedMessageSchema = z.object({
  type: z.literal("disconnected"),
  by: z.object({ id: z.string(), name: z.string() }),
});
export type DisconnectedMessage = z.infer<typeof disconnectedMessageSchema>;

export const errorMessageSchema = z.object({
  type: z.literal("error"),
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});

export const serverMessageSchema = z.discriminatedUnion("type", [
  registeredMessageSchema,
  revokedMessageSchema,
  disconnectedMessageSchema,
  errorMessageSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/**
 * Close codes: 4000 a protocol error, 4001 "revoked: do not reconnect", 4002 "stopped from the web
 * app: do not reconnect", 1001 "reconnect (elsewhere)".
 */
export const CLOSE_CODES = { goingAway: 1001, protocolError: 4000, revoked: 4001, stopped: 4002 } as const;
