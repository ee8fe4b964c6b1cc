/** The OpenAPI document's placement of the route table's schemas (validity: the server's openapi test). */
import { describe, expect, it } from "vitest";
import { openApiDocument, openApiPath } from "./openapi.ts";
import { routes } from "./routes.ts";

const document = openApiDocument(routes, {
  title: "Cogno",
  version: "1.2.3",
  sessionCookie: "cogno_session",
});

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
}

function operation(path: string, method: string) {
  return document.paths[openApiPath(path)]?.[method] as {
    parameters: Parameter[];
    requestBody?: { required: boolean };
    security: Record<string, string[]>[];
  };
}

describe("openApiDocument", () => {
  it("writes Fastify's :name parameters as {name}", () => {
    expect(openApiPath("/api/v1/workspaces/:workspaceId/api-keys/:keyId")).toBe(
      "/api/v1/workspaces/{workspaceId}/api-keys/{keyId}",
    );
  });

  it("makes a parameter of each path and query field, required only when the schema requires it", () => {
    const list = operation(routes.listApiKeys.path, "get");
    expect(list.parameters.map(({ name, in: where, required }) => ({ name, where, required }))).toEqual([
      { name: "workspaceId", where: "path", required: true },
      { name: "state", where: "query", required: false },
      { name: "limit", where: "query", required: false },
      { name: "cursor", where: "query", required: false },
    ]);
    expect(list.parameters[0]?.description).toBe("The workspace id (wsp_…).");
  });

  it("requires a body only when an empty one is invalid, and names who may call", () => {
    expect(operation(routes.createWorkspace.path, "post").requestBody?.required).toBe(true);
    expect(operation(routes.logout.path, "post").requestBody).toBeUndefined();
    expect(operation(routes.createWorkspace.path, "post").security).toEqual([{ session: [] }]);
    expect(operation(routes.whoami.path, "get").security).toEqual([{ apiKey: [] }]);
    expect(operation(routes.metrics.path, "get").security).toEqual([{ metricsToken: [] }]);
    expect(operation(routes.healthz.path, "get").security).toEqual([]);
  });

  it("points every reference at a component the document has", () => {
    const text = JSON.stringify(document);
    const references = [...text.matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(references.length).toBeGreaterThan(10);
    for (const [, kind, name] of references) {
      const components = document.components as Record<string, Record<string, unknown>>;
      expect(components[kind ?? ""], `${kind}/${name}`).toHaveProperty(name ?? "");
    }
    expect(text).not.toMatch(/"\$ref":"#\/\$defs/);
  });
});
