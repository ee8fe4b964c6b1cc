import { routes, whoamiResponseSchema } from "@cogno/protocol";
import fastJsonStringify from "fast-json-stringify";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import type { KeyAuthenticator } from "./authenticator.ts";
import { type ConnectedWorkers, createApiKey, getApiKey, listApiKeys, revokeApiKey } from "./service.ts";

export function registerApiKeyRoutes(
  router: ContractRouter,
  deps: Deps,
  options: { workers: ConnectedWorkers },
): void {
  router.add(routes.createApiKey, async ({ user, params, body, reply }) => {
    // The raw key is in this one response: make sure no cache keeps it.
    void reply.header("cache-control", "no-store");
    return createApiKey(deps, { workspaceId: params.workspaceId, actor: user, ...body });
  });

  router.add(routes.listApiKeys, ({ user, params, query }) =>
    listApiKeys(deps, {
      workspaceId: params.workspaceId,
      actor: user,
      includeRevoked: query.state === "all",
      limit: query.limit,
      cursor: query.cursor,
    }),
  );

  router.add(routes.getApiKey, ({ user, params }) =>
    getApiKey(deps, options.workers, { ...params, actor: user }),
  );

  router.add(routes.revokeApiKey, ({ user, params }) =>
    revokeApiKey(deps, options.workers, { ...params, actor: user }),
  );
}

/**
 * The whoami answer is serialised by a compiled JSON-Schema serializer made from the contract's
 * schema: the route every worker calls stays as cheap as a static answer, and it can still name
 * only the fields of API.md.
 */
const serializeWhoami = fastJsonStringify(
  z.toJSONSchema(whoamiResponseSchema, { target: "draft-7" }) as Parameters<typeof fastJsonStringify>[0],
);

export function registerWhoamiRoute(app: FastifyInstance, keys: KeyAuthenticator): void {
  app.route({
    method: routes.whoami.method,
    url: routes.whoami.path,
    handler: async (request, reply) => {
      const { apiKey, workspace } = await keys.authenticate(request.headers.authorization, request.ip);
      return reply.type("application/json; charset=utf-8").send(
        serializeWhoami({
          workspace,
          apiKey: { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix },
          user: apiKey.owner,
        }),
      );
    },
  });
}
