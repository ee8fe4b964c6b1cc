import type { MeResponse } from "@cogno/protocol";
import { createContext, type ReactNode, useContext } from "react";
import type { ApiClient } from "../api/client.ts";

export interface Session {
  me: MeResponse;
  /** Re-reads /me, after joining or creating a workspace. */
  refreshMe: () => Promise<MeResponse | null>;
  signOut: () => Promise<void>;
}

const ApiContext = createContext<ApiClient | null>(null);
const SessionContext = createContext<Session | null>(null);

export function ApiProvider({ api, children }: { api: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function SessionProvider({ session, children }: { session: Session | null; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (api === null) throw new Error("useApi needs an ApiProvider above it");
  return api;
}

/** The signed-in session, or null on public pages (sign in, invitation, docs). */
export function useOptionalSession(): Session | null {
  return useContext(SessionContext);
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession is for pages behind sign-in");
  return session;
}
