/** Workspaces: create, read, list a user's; and the check every workspace route starts with. */
import type { Role, Workspace, WorkspaceSummary } from "@cogno/protocol";
import { isoAt } from "../clock.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { hasRoleAtLeast } from "./roles.ts";
import {
  findRole,
  findWorkspace,
  insertWorkspaceWithOwner,
  listWorkspaceSummaries,
  toWorkspace,
} from "./store.ts";

/**
 * The caller's role in a workspace, or 403. A workspace that does not exist answers the same as
 * one the caller is not in, so ids cannot be probed. Every workspace route starts here.
 */
export async function authorizeMember(
  deps: Deps,
  workspaceId: string,
  userId: string,
  minimum: Role = "member",
) {
  const role = await findRole(deps.db, workspaceId, userId);
  if (!role) throw new AppError("forbidden", "You are not a member of this workspace.");
  if (!hasRoleAtLeast(role, minimum)) {
    throw new AppError(
      "forbidden",
      `Only workspace ${minimum === "owner" ? "owners" : "owners and admins"} can do this.`,
    );
  }
  return role;
}

export async function createWorkspace(deps: Deps, userId: string, name: string): Promise<Workspace> {
  const row = { id: newId("wsp"), name, created_at: isoAt(deps.clock) };
  await insertWorkspaceWithOwner(deps.db, row, userId);
  return toWorkspace(row);
}

export function listWorkspacesOfUser(deps: Deps, userId: string): Promise<WorkspaceSummary[]> {
  return listWorkspaceSummaries(deps.db, userId);
}

export async function getWorkspace(deps: Deps, workspaceId: string, userId: string) {
  const role = await authorizeMember(deps, workspaceId, userId);
  const row = await findWorkspace(deps.db, workspaceId);
  if (!row) throw new AppError("forbidden", "You are not a member of this workspace.");
  return { workspace: toWorkspace(row), role };
}
