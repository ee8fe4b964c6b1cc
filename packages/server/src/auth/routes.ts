import { loginBodySchema, signupBodySchema } from "@cogno/protocol";
import type { FastifyInstance } from "fastify";
import type { Deps } from "../deps.ts";
import { parseOrThrow } from "../http/validate.ts";
import { listWorkspacesOfUser } from "../workspaces/service.ts";
import { logIn, logOut, signUp } from "./service.ts";
import { clearSessionCookie, currentUser, SESSION_COOKIE, setSessionCookie } from "./session.ts";

export function registerAuthRoutes(app: FastifyInstance, deps: Deps): void {
  app.post("/api/v1/auth/signup", async (request, reply) => {
    const body = parseOrThrow(signupBodySchema, request.body);
    const session = await signUp(deps, body, request.ip);
    setSessionCookie(reply, session.token, deps.config);
    return reply.status(201).send({ user: session.user });
  });

  app.post("/api/v1/auth/login", async (request, reply) => {
    const body = parseOrThrow(loginBodySchema, request.body);
    const session = await logIn(deps, body, request.ip);
    setSessionCookie(reply, session.token, deps.config);
    return reply.status(200).send({ user: session.user });
  });

  app.post("/api/v1/auth/logout", async (request, reply) => {
    await logOut(deps, request.cookies[SESSION_COOKIE]);
    clearSessionCookie(reply, deps.config);
    return reply.status(204).send();
  });

  app.get("/api/v1/me", async (request) => {
    const user = await currentUser(deps, request);
    return { user, workspaces: await listWorkspacesOfUser(deps, user.id) };
  });
}
