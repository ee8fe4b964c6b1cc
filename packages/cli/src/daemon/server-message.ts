import type { ApiKeyRef } from "@cogno/protocol";

/**
 * The gateway's messages as the worker reads them: like protocol's ServerMessage, but tolerant of a
 * revoked message without key details or an error code this CLI does not know.
 */
export type GatewayMessage =
  | { type: "registered"; workerId: string; heartbeatIntervalMs: number }
  | { type: "revoked"; apiKey: ApiKeyRef | undefined }
  | { type: "error"; code: string | undefined; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readApiKeyRef(value: unknown): ApiKeyRef | undefined {
  if (!isRecord(value)) return undefined;
  const { id, name, prefix } = value;
  return typeof id === "string" && typeof name === "string" && typeof prefix === "string"
    ? { id, name, prefix }
    : undefined;
}

/**
 * Reads one frame from the gateway. Unknown or malformed frames are ignored rather than fatal, so a
 * newer server may add message types without breaking older workers.
 */
export function parseServerMessage(text: string): GatewayMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case "registered": {
      const { workerId, heartbeatIntervalMs } = value;
      return typeof workerId === "string" && typeof heartbeatIntervalMs === "number"
        ? { type: "registered", workerId, heartbeatIntervalMs }
        : undefined;
    }
    case "revoked":
      return { type: "revoked", apiKey: readApiKeyRef(value.apiKey) };
    case "error": {
      const error = value.error;
      if (!isRecord(error) || typeof error.message !== "string") return undefined;
      return {
        type: "error",
        code: typeof error.code === "string" ? error.code : undefined,
        message: error.message,
      };
    }
    default:
      return undefined;
  }
}
