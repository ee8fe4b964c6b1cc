/** The person behind a request, as an audit entry names them: who, from which address, with which client. */
import { stripControlCharacters, type User } from "@cogno/protocol";
import type { FastifyRequest } from "fastify";
import type { AuditActor } from "./store.ts";

/** A signed-in person acting through a request: services authorise by `id` and audit the rest. */
export interface UserActor extends AuditActor {
  type: "user";
  id: string;
}

/** A user agent is client text stored and shown later: controls stripped, length bounded. */
const USER_AGENT_MAX = 512;

export function actorOf(user: User, request: FastifyRequest): UserActor {
  const header = request.headers["user-agent"];
  const userAgent = typeof header === "string" ? stripControlCharacters(header).slice(0, USER_AGENT_MAX) : "";
  return { type: "user", id: user.id, name: user.name, ip: request.ip, userAgent: userAgent || null };
}

/** For work done outside a request (tests, the CLI's own calls): the same shape, no address. */
export function userActor(user: Pick<User, "id" | "name">): UserActor {
  return { type: "user", id: user.id, name: user.name, ip: null, userAgent: null };
}
