import { routes } from "@cogno/protocol";
import type { Deps } from "../deps.ts";
import type { ContractRouter } from "../http/contract-routes.ts";
import { listWorkspacesOfUser } from "../workspaces/service.ts";
import { logIn, logOut, signUp } from "./service.ts";
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from "./session.ts";

export function registerAuthRoutes(router: ContractRouter, deps: Deps): void {
  router.add(routes.signup, async ({ body, request, reply }) => {
    const session = await signUp(deps, body, request.ip);
    setSessionCookie(reply, session.token, deps.config);
    return { user: session.user };
  });

  router.add(routes.login, async ({ body, request, reply }) => {
    const session = await logIn(deps, body, request.ip);
    setSessionCookie(reply, session.token, deps.config);
    return { user: session.user };
  });

  router.add(routes.logout, async ({ request, reply }) => {
    await logOut(deps, request.cookies[SESSION_COOKIE]);
    clearSessionCookie(reply, deps.config);
    return undefined;
  });

  router.add(routes.me, async ({ user }) => ({
    user,
    workspaces: await listWorkspacesOfUser(deps, user.id),
  }));
}
