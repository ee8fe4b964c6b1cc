import { createApiKeyBodySchema, type WhoamiResponse } from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "../http/validate.ts";
import {
  authenticateApiKey,
  type ConnectedWorkers,
  createApiKey,
  getApiKey,
  type KeyAuthenticationMemory,
  listApiKeys,
  revokeApiKey,
} from "./service.ts";

interface KeyParams {
  workspaceId: string;
  keyId: string;
}

const text = { type: "string" } as const;
const objectOf = (fields: string[]) => ({
  type: "object",
  properties: Object.fromEntries(fields.map((field) => [field, text])),
  required: fields,
});
/**
 * The whoami answer as JSON Schema: Fastify compiles it into a serializer, which matters on the
 * route every worker calls. It names exactly the fields of API.md, so nothing else can leak out.
 */
const WHOAMI_RESPONSE = {
  type: "object",
  properties: {
    workspace: objectOf(["id", "name"]),
    apiKey: objectOf(["id", "name", "prefix"]),
    user: objectOf(["id", "email", "name"]),
  },
  required: ["workspace", "apiKey", "user"],
} as const;

const listQuerySchema = z.object({
  state: z.enum(["active", "all"], { error: 'state must be "active" or "all"' }).default("active"),
});

export function registerApiKeyRoutes(
  app: FastifyInstance,
  deps: Deps,
  options: { workers: ConnectedWorkers; keyMemory: KeyAuthenticationMemory },
): void {
  const base = "/api/v1/workspaces/:workspaceId/api-keys";

  app.post<{ Params: { workspaceId: string } }>(base, async (request, reply) => {
    const actor = await currentUser(deps, request);
    const { name } = parseOrThrow(createApiKeyBodySchema, request.body);
    const created = await createApiKey(deps, { workspaceId: request.params.workspaceId, actor, name });
    // The raw key is in this one response: make sure no cache keeps it.
    return reply.status(201).header("cache-control", "no-store").send(created);
  });

  app.get<{ Params: { workspaceId: string } }>(base, async (request) => {
    const actor = await currentUser(deps, request);
    const { state } = parseOrThrow(listQuerySchema, request.query, "query");
    const apiKeys = await listApiKeys(deps, {
      workspaceId: request.params.workspaceId,
      actor,
      includeRevoked: state === "all",
    });
    return { apiKeys };
  });

  app.get<{ Params: KeyParams }>(`${base}/:keyId`, async (request) => {
    const actor = await currentUser(deps, request);
    return getApiKey(deps, options.workers, { ...request.params, actor });
  });

  app.delete<{ Params: KeyParams }>(`${base}/:keyId`, async (request) => {
    const actor = await currentUser(deps, request);
    return revokeApiKey(deps, options.workers, { ...request.params, actor });
  });

  app.get(
    "/api/v1/worker/whoami",
    { schema: { response: { 200: WHOAMI_RESPONSE } } },
    async (request): Promise<WhoamiResponse> => {
      const { apiKey, workspace } = await authenticateApiKey(
        deps,
        options.keyMemory,
        request.headers.authorization,
        request.ip,
      );
      return {
        workspace,
        apiKey: { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix },
        user: apiKey.owner,
      };
    },
  );
}
