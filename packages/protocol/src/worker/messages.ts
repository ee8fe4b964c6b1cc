/** The worker WebSocket protocol of API.md: JSON text frames, each with a `type`. */
import { z } from "zod";
import type { ErrorCode } from "../api/errors.ts";
import type { ApiKeyRef } from "../api/schemas.ts";

const field = (name: string, max: number) =>
  z
    .string({ error: `${name} must be a string` })
    .trim()
    .min(1, { error: `${name} must not be empty` })
    .max(max, { error: `${name} must be at most ${max} characters` });

export const registerMessageSchema = z.object({
  type: z.literal("register"),
  machineId: field("machineId", 128),
  name: field("name", 100),
  hostname: field("hostname", 255),
  os: field("os", 64),
  arch: field("arch", 64),
  version: field("version", 64),
});
export type RegisterMessage = z.infer<typeof registerMessageSchema>;

export const workerMessageSchema = z.discriminatedUnion("type", [
  registerMessageSchema,
  z.object({ type: z.literal("heartbeat") }),
  z.object({ type: z.literal("stopping") }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

export type ServerMessage =
  | { type: "registered"; workerId: string; heartbeatIntervalMs: number }
  | { type: "revoked"; apiKey: ApiKeyRef }
  | { type: "error"; error: { code: ErrorCode; message: string } };

/** Close codes: 4001 means "do not reconnect", 4000 a protocol error, 1001 "reconnect elsewhere". */
export const CLOSE_CODES = { goingAway: 1001, protocolError: 4000, revoked: 4001 } as const;
