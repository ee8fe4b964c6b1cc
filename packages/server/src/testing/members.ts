/** Joins a user to a workspace the way people do: an invitation made by `inviter`, accepted by `joiner`. */
import type { User } from "@cogno/protocol";
import { userActor } from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import { acceptInvitation, createInvitation } from "../workspaces/invitation-service.ts";

export async function joinWorkspace(
  deps: Deps,
  input: { workspaceId: string; inviter: User; joiner: User; role: "admin" | "member" },
): Promise<void> {
  const { token } = await createInvitation(deps, input.workspaceId, userActor(input.inviter), {
    role: input.role,
  });
  await acceptInvitation(deps, token, userActor(input.joiner));
}
