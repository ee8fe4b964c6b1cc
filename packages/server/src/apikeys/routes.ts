import {
  createApiKeyBodySchema,
  listApiKeysQuerySchema,
  pageQuerySchema,
  type WhoamiResponse,
} from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import { currentUser } from "../auth/session.ts";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "../http/validate.ts";
import type { KeyAuthenticator } from "./authenticator.ts";
import { type ConnectedWorkers, createApiKey, getApiKey, listApiKeys, revokeApiKey } from "./service.ts";

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

const listQuerySchema = listApiKeysQuerySchema.extend(pageQuerySchema.shape);

export function registerApiKeyRoutes(
  app: FastifyInstance,
  deps: Deps,
  options: { workers: ConnectedWorkers; keys: KeyAuthenticator },
): void {
  const base = "/api/v1/workspaces/:workspaceId/api-keys";

  app.post<{ Params: { workspaceId: string } }>(base, async (request, reply) => {
    const actor = await currentUser(deps, request);
    const { name, expiresAt } = parseOrThrow(createApiKeyBodySchema, request.body);
    const created = await createApiKey(deps, {
      workspaceId: request.params.workspaceId,
      actor,
      name,
      expiresAt,
    });
    // The raw key is in this one response: make sure no cache keeps it.
    return reply.status(201).header("cache-control", "no-store").send(created);
  });

  app.get<{ Params: { workspaceId: string } }>(base, async (request) => {
    const actor = await currentUser(deps, request);
    const { state, limit, cursor } = parseOrThrow(listQuerySchema, request.query, "query");
    return listApiKeys(deps, {
      workspaceId: request.params.workspaceId,
      actor,
      includeRevoked: state === "all",
      limit,
      cursor,
    });
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
      const { apiKey, workspace } = await options.keys.authenticate(
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
