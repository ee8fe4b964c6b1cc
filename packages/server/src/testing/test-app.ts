/**
 * HTTP in-process: the real app on test dependencies, called with `inject` (no socket), and people
 * with sessions to call it as. For route tests beside the routes (STYLE rule 18).
 */
import type { User } from "@cogno/protocol";
import type { LightMyRequestResponse } from "fastify";
import { type App, createApp } from "../app.ts";
import { signUp } from "../auth/service.ts";
import { SESSION_COOKIE } from "../auth/session.ts";
import type { TestDeps } from "./test-deps.ts";

export interface TestPerson {
  user: User;
  /** The Cookie header of their session. */
  cookie: string;
}

let people = 0;

/** A new account, signed in; sign-ups from distinct addresses, so no limiter is in the way. */
export async function signedUpPerson(deps: TestDeps, name: string): Promise<TestPerson> {
  people += 1;
  const email = `${name.toLowerCase().replace(/\W+/g, "-")}.${people}@example.com`;
  const session = await signUp(deps, { email, password: "long enough", name }, `10.9.${people % 250}.1`);
  return { user: session.user, cookie: `${SESSION_COOKIE}=${session.token}` };
}

export interface TestApp {
  app: App;
  call(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    options?: { as?: TestPerson; body?: unknown; headers?: Record<string, string>; remoteAddress?: string },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestApp(deps: TestDeps): Promise<TestApp> {
  const app = await createApp(deps);
  await app.http.ready();
  return {
    app,
    call(method, url, options = {}) {
      return app.http.inject({
        method,
        url,
        headers: {
          "user-agent": "cogno-test/1.0",
          ...(options.as ? { cookie: options.as.cookie } : {}),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { payload: options.body as object }),
        ...(options.remoteAddress === undefined ? {} : { remoteAddress: options.remoteAddress }),
      });
    },
    close: () => app.shutDown(),
  };
}
