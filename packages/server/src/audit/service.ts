/**
 * The audit log as the rest of the server uses it: who did something (an actor, made from the
 * request that did it) and reading the log (owners and admins). Entries are written by each domain
 * inside the transaction of its change, with store.ts recordAudit.
 */
import {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type AuditLogResponse,
  stripControlCharacters,
  type User,
} from "@cogno/protocol";
import type { FastifyRequest } from "fastify";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { authorizeMember } from "../workspaces/service.ts";
import { type AuditActor, type AuditFilter, listAuditEntries, streamAuditEntries } from "./store.ts";

/** Where a request came from, as the audit log records it. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** For changes made without a request (tests, jobs): no address, no user agent. */
export const NO_ORIGIN: RequestOrigin = { ip: null, userAgent: null };

/** A user agent is the client's own text: kept to one readable line of reasonable length. */
const USER_AGENT_MAX = 512;

/** The client address (as the proxy settings resolve it) and user agent of a request. */
export function originOf(request: FastifyRequest): RequestOrigin {
  const header = request.headers["user-agent"];
  const userAgent = typeof header === "string" ? stripControlCharacters(header).slice(0, USER_AGENT_MAX) : "";
  return { ip: request.ip, userAgent: userAgent === "" ? null : userAgent };
}

/** A signed-in person acting through a request: services authorise by `id` and audit the rest. */
export interface UserActor extends AuditActor {
  type: "user";
  id: string;
}

/** A signed-in person acting from `origin`. */
export function userActor(user: Pick<User, "id" | "name">, origin: RequestOrigin = NO_ORIGIN): UserActor {
  return { type: "user", id: user.id, name: user.name, ip: origin.ip, userAgent: origin.userAgent };
}

/** The actor of a session request: the signed-in user, with the request's address and user agent. */
export function auditActorOf(request: FastifyRequest, user: Pick<User, "id" | "name">): UserActor {
  return userActor(user, originOf(request));
}

/** Whoever sent a leaked-key report (GitHub's secret scanning, or anyone holding a key). */
export function reporterActor(origin: RequestOrigin): AuditActor {
  return {
    type: "reporter",
    id: null,
    name: "Leaked-key report",
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
}

export interface AuditLogRequest {
  workspaceId: string;
  actor: User;
  /** `?action=`: one of the audit actions. */
  action: string | undefined;
  /** `?actor=`: a user id, or "system" or "reporter". */
  actorFilter: string | undefined;
}

/** One page of the log, newest first (admin+). */
export async function listAuditLog(
  deps: Deps,
  input: AuditLogRequest & { before: string | undefined; limit: number },
): Promise<AuditLogResponse> {
  const filter = await authorizedFilter(deps, input);
  return listAuditEntries(deps.db, { ...filter, before: input.before, limit: input.limit });
}

/**
 * Every entry, newest first, read in batches as the consumer pulls (admin+). Authorization is
 * checked before this returns, so a refusal is an ordinary error answer, never a cut stream.
 */
export async function exportAuditLog(
  deps: Deps,
  input: AuditLogRequest,
): Promise<AsyncGenerator<AuditEntry>> {
  const filter = await authorizedFilter(deps, input);
  return streamAuditEntries(deps.db, filter);
}

async function authorizedFilter(deps: Deps, input: AuditLogRequest): Promise<AuditFilter> {
  await authorizeMember(deps, input.workspaceId, input.actor.id, "admin");
  return {
    workspaceId: input.workspaceId,
    action: parseActionFilter(input.action),
    actor: input.actorFilter === "" ? undefined : input.actorFilter,
  };
}

function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/** An unknown action is a mistake to point out, not a filter that silently matches nothing. */
export function parseActionFilter(value: string | undefined): AuditAction | undefined {
  if (value === undefined || value === "") return undefined;
  if (isAuditAction(value)) return value;
  throw new AppError(
    "validation_failed",
    `Invalid query. action must be one of: ${AUDIT_ACTIONS.join(", ")}.`,
  );
}
