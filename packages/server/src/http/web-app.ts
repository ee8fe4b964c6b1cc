/** Serves the built web app; any other GET that is not an API call gets index.html (client routes). */
import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { isApiUrl } from "./api-url.ts";
import { errorBody } from "./error-handler.ts";
import { AppError } from "./errors.ts";

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Cogno</title>
<p>The Cogno API is running, but the web app has not been built. Run <code>npm run build</code> and restart.</p>`;

export async function registerWebApp(app: FastifyInstance, webDir: string): Promise<void> {
  const built = existsSync(path.join(webDir, "index.html"));
  if (built) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: "index.html" });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === "GET" && !isApiUrl(request.url);
    if (!isPage) {
      return reply
        .status(404)
        .send(
          errorBody(
            new AppError("not_found", `No route ${request.method} ${request.url.split("?")[0]}.`),
            request.id,
          ),
        );
    }
    if (!built) return reply.type("text/html").send(NOT_BUILT_PAGE);
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  });
}
