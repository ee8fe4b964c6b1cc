/**
 * Server-sent events of `GET /api/v1/workspaces/:workspaceId/events` (API.md): the event name and
 * the schema of its `data`. The web app parses each event with the schema of its name.
 */
import { z } from "zod";
import { apiKeySchema, workerSchema } from "../api/resources.ts";

export const workspaceEventSchemas = {
  "worker.updated": workerSchema,
  /** A worker was forgotten (by a person, or after the retention period). */
  "worker.removed": z.object({ id: z.string() }),
  "api_key.created": apiKeySchema,
  /** Renamed or rolled: the key is still active. */
  "api_key.updated": apiKeySchema,
  "api_key.revoked": apiKeySchema,
} as const;

export type WorkspaceEventName = keyof typeof workspaceEventSchemas;
export type WorkspaceEventData<Name extends WorkspaceEventName> = z.infer<
  (typeof workspaceEventSchemas)[Name]
>;
export const WORKSPACE_EVENT_NAMES = Object.keys(workspaceEventSchemas) as WorkspaceEventName[];
