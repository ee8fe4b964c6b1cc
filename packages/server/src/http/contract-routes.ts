/**
 * Registers a handler for a route of the contract (protocol's `routes`): Fastify validates the
 * params, query and body with the route's zod schemas and serialises the answer with its response
 * schema, so a handler cannot answer a field the contract does not name, and the OpenAPI document
 * is generated from the same schemas. Handlers receive parsed input and return the body.
 */
import type { RouteContract, User } from "@cogno/protocol";
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  FastifySchemaCompiler,
} from "fastify";
import { serializerCompiler } from "fastify-type-provider-zod";
import { z } from "zod";
import { validationError } from "./validate.ts";

type Parsed<Schema> = Schema extends z.ZodType ? z.output<Schema> : undefined;

type JsonResponses<R extends RouteContract> = {
  [Status in keyof R["responses"]]: R["responses"][Status] extends z.ZodType
    ? z.input<R["responses"][Status]>
    : never;
}[keyof R["responses"]];

/** What a handler answers: the body of its success response, nothing for a 204, or the reply it took over. */
export type RouteAnswer<R extends RouteContract> =
  | ([JsonResponses<R>] extends [never] ? undefined : JsonResponses<R>)
  | FastifyReply
  | undefined;

export interface RouteCall<R extends RouteContract> {
  params: Parsed<R["params"]>;
  query: Parsed<R["query"]>;
  body: Parsed<R["body"]>;
  /** The signed-in user, on routes whose `auth` is "session". */
  user: R["auth"] extends "session" ? User : undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface ContractRouter {
  add<const R extends RouteContract>(
    route: R,
    handler: (call: RouteCall<R>) => Promise<RouteAnswer<R>>,
  ): void;
}

const PART_NAMES: Record<string, string> = { body: "body", querystring: "query", params: "parameter" };

/** Validation with the contract's messages: a missing body or query reads as empty, so the 400 names the field. */
const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data ?? {});
    if (result.success) return { value: result.data };
    return { error: validationError(result.error, PART_NAMES[httpPart ?? ""] ?? "request") };
  };

/**
 * Sets the zod compilers on `app` (every schema given to Fastify routes of this app is then a zod
 * schema; a route that needs another serializer sets its own) and returns the router.
 */
export function createContractRouter(
  app: FastifyInstance,
  options: { sessionUser: (request: FastifyRequest) => Promise<User> },
): ContractRouter {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  return {
    add(route, handler) {
      const success = Object.entries(route.responses).find(([status]) => status.startsWith("2"));
      const status = Number(success?.[0] ?? 200);
      const responseSchema = success?.[1];
      const schema: FastifySchema = {};
      if (route.params) schema.params = route.params;
      if (route.query) schema.querystring = route.query;
      if (route.body) schema.body = route.body;
      if (responseSchema instanceof z.ZodType) schema.response = { [status]: responseSchema };
      app.route({
        method: route.method,
        url: route.path,
        schema,
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          const user = route.auth === "session" ? await options.sessionUser(request) : undefined;
          // The compilers above have parsed each part with the route's schema: these are its outputs.
          const call = {
            params: request.params,
            query: request.query,
            body: request.body,
            user,
            request,
            reply,
          };
          const answer = await handler(call as RouteCall<typeof route>);
          if (reply.sent || answer === reply) return reply;
          if (responseSchema === null) return reply.status(status).send();
          return reply.status(status).send(answer);
        },
      });
    },
  };
}
