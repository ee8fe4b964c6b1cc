/**
 * The OpenAPI document against what the server really registers (Fastify's onRoute hook), and
 * against a real OpenAPI 3.1 validator: a route added without an entry in the contract's table, or
 * an entry for a route that does not exist, fails here.
 */
import { openApiPath, routes } from "@cogno/protocol";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps, withBuiltWebApp } from "../testing/test-deps.ts";

let deps: TestDeps;
let http: TestApp;
let document: {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string }[] }>>;
};

beforeAll(async () => {
  deps = await createTestDeps();
  // With a built web app: its files are routes too, which Fastify is told to hide from documents.
  http = await startTestApp(withBuiltWebApp(deps));
  expect((await http.call("GET", "/assets/app.js")).statusCode).toBe(200);
  const response = await http.call("GET", "/api/v1/openapi.json");
  expect(response.statusCode).toBe(200);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  document = response.json();
});

afterAll(async () => {
  await http.close();
  await deps.cleanup();
});

/** "GET /a/{id}" for each operation of the document. */
function documented(): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The same for each route the server registered; HEAD routes are Fastify's own copies of GETs. */
function registered(): string[] {
  const all = http.app.registeredRoutes;
  const gets = new Set(all.filter((route) => route.method === "GET").map((route) => route.url));
  return all
    .filter((route) => !(route.method === "HEAD" && gets.has(route.url)))
    .map((route) => `${route.method} ${openApiPath(route.url)}`);
}

describe("GET /api/v1/openapi.json", () => {
  it("documents every route the server registers, and no route it does not", () => {
    const served = registered();
    expect(new Set(served).size).toBe(served.length);
    expect(served.length).toBeGreaterThanOrEqual(Object.keys(routes).length);
    expect(documented().sort()).toEqual([...new Set(served)].sort());
  });

  it("is a valid OpenAPI 3.1 document whose references all resolve", async () => {
    expect(document.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it("names each path parameter of the route and an operation for each table entry", () => {
    for (const [name, route] of Object.entries(routes)) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      expect(operation?.operationId, name).toBe(name);
      const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
      const inPath = operation?.parameters.filter((parameter) => parameter.in === "path");
      expect(inPath?.map((parameter) => parameter.name).sort(), name).toEqual(pathNames.sort());
    }
  });

  it("describes the error body with its request id as a shared component", () => {
    const text = JSON.stringify(document);
    expect(text).toContain('"#/components/schemas/ErrorBody"');
    expect(text).not.toContain("#/$defs/");
    expect(JSON.parse(text).components.schemas.ErrorBody.properties.error.properties).toHaveProperty(
      "requestId",
    );
  });
});
