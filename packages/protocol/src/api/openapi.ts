/**
 * The OpenAPI 3.1 document of the route table. The schemas are zod's own JSON Schema output
 * (`z.toJSONSchema`, draft 2020-12, which OpenAPI 3.1 uses as is); this module only places them:
 * a path item per route, a parameter per field of `params` and `query`, and the resources that
 * carry an `id` in their metadata (User, ApiKey, ErrorBody…) as shared components.
 */
import { z } from "zod";
import { errorBodySchema } from "./errors.ts";
import type { ResponseContract, RouteAuth, RouteContract } from "./routes.ts";

type JsonSchema = Record<string, unknown>;

export interface OpenApiOptions {
  title: string;
  version: string;
  /** The name of the session cookie the "session" routes read. */
  sessionCookie: string;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, unknown>;
    headers: Record<string, unknown>;
  };
}

const SECURITY: Record<RouteAuth, Array<Record<string, string[]>>> = {
  session: [{ session: [] }],
  bearer: [{ apiKey: [] }],
  metrics: [{ metricsToken: [] }],
  none: [],
};

const DESCRIPTION_OF_STATUS: Record<string, string> = {
  "101": "Switching protocols.",
  "200": "OK.",
  "201": "Created.",
  "204": "No content.",
};

export function openApiDocument(
  table: Record<string, RouteContract>,
  options: OpenApiOptions,
): OpenApiDocument {
  const components: Record<string, JsonSchema> = {};
  /** zod puts schemas with an `id` under `$defs`: they become components, referenced from everywhere. */
  const convert = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const json = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as JsonSchema;
    const { $schema: _dialect, $defs, ...rest } = json;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      components[id] = pointAtComponents(definition);
    }
    return pointAtComponents(rest);
  };

  const errorResponse = {
    description: "The error body of API.md: `{ error: { code, message, requestId } }`.",
    headers: { "x-request-id": { $ref: "#/components/headers/RequestId" } },
    content: { "application/json": { schema: convert(errorBodySchema, "output") } },
  };

  const paths: OpenApiDocument["paths"] = {};
  for (const [name, route] of Object.entries(table)) {
    const operation: Record<string, unknown> = {
      operationId: name,
      summary: route.summary,
      security: SECURITY[route.auth],
      parameters: [
        ...parametersOf(route.params, "path", convert),
        ...parametersOf(route.query, "query", convert),
      ],
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, contract]) => [
            status,
            successResponse(status, contract as ResponseContract, convert),
          ]),
        ),
        default: errorResponse,
      },
    };
    if (route.minimumRole) operation["x-minimum-role"] = route.minimumRole;
    if (route.body) {
      operation.requestBody = {
        // The server reads a missing body as `{}`: it is required only when `{}` is not valid.
        required: !route.body.safeParse({}).success,
        content: { "application/json": { schema: convert(route.body, "input") } },
      };
    }
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }

  return {
    openapi: "3.1.0",
    info: { title: options.title, version: options.version },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: options.sessionCookie },
        apiKey: { type: "http", scheme: "bearer", description: "A worker key (cogno_wk_…)." },
        metricsToken: { type: "http", scheme: "bearer", description: "The COGNO_METRICS_TOKEN setting." },
      },
      headers: {
        RequestId: {
          description: "The id of this request, as in its log lines (a sane incoming one is kept).",
          schema: { type: "string" },
        },
      },
    },
  };
}

/** Fastify's `/a/:id/b` is OpenAPI's `/a/{id}/b`. */
export function openApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:(\w+)/g, "{$1}");
}

function successResponse(
  status: string,
  contract: ResponseContract,
  convert: (schema: z.ZodType, io: "input" | "output") => JsonSchema,
) {
  const description = DESCRIPTION_OF_STATUS[status] ?? "Success.";
  const headers = { "x-request-id": { $ref: "#/components/headers/RequestId" } };
  if (contract === null || contract === undefined) return { description, headers };
  if (contract instanceof z.ZodType) {
    return { description, headers, content: { "application/json": { schema: convert(contract, "output") } } };
  }
  if (contract.mediaType === "websocket") return { description: contract.description, headers };
  return { description: contract.description, headers, content: { [contract.mediaType]: {} } };
}

function parametersOf(
  object: z.ZodObject | undefined,
  location: "path" | "query",
  convert: (schema: z.ZodType, io: "input" | "output") => JsonSchema,
) {
  if (!object) return [];
  const json = convert(object, "input");
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: location,
      required: location === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

function pointAtComponents(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
}
