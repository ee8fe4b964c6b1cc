import type { User } from "@cogno/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import type { Deps } from "../deps.ts";
import { authenticateSession, findCurrentSession, SESSION_DAYS } from "./service.ts";

export const SESSION_COOKIE = "cogno_session";

/** The signed-in user of a browser request, or 401 unauthenticated. */
export function currentUser(deps: Deps, request: FastifyRequest): Promise<User> {
  return authenticateSession(deps, request.cookies[SESSION_COOKIE]);
}

/** The browser request's session (its id and user), or 401 unauthenticated. */
export function currentSession(deps: Deps, request: FastifyRequest): Promise<{ id: string; user: User }> {
  return findCurrentSession(deps, request.cookies[SESSION_COOKIE]);
}

export function setSessionCookie(reply: FastifyReply, token: string, config: Config): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.publicUrl?.protocol === "https:",
    maxAge: SESSION_DAYS * 24 * 60 * 60,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: config.publicUrl?.protocol === "https:",
  });
}
