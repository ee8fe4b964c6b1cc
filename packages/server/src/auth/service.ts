import type { LoginBody, SignupBody, User } from "@cogno/protocol";
import { isoAt } from "../clock.ts";
import { randomToken, sha256Hex } from "../crypto.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { deleteSession, findSession, findUserByEmail, insertSession, insertUser, toUser } from "./store.ts";

export const SESSION_DAYS = 30;
const SESSION_MS = SESSION_DAYS * 24 * 60 * 60 * 1000;

export interface NewSession {
  user: User;
  /** The cookie value: handed to the browser once, stored only as a hash. */
  token: string;
}

/**
 * Creates an account. Every attempt counts against the address's sign-ups for the minute, so one
 * client cannot make accounts by the hundred. Attempts are also rate-limited with logins (each
 * costs a password hash), and an email that is taken counts as a failure there, so the 409 cannot
 * be used to sweep for accounts.
 */
export async function signUp(deps: Deps, body: SignupBody, client: string): Promise<NewSession> {
  deps.limiters.signup.countAttempt(client);
  const attempt = deps.limiters.login.begin(client);
  const emailTaken = (): AppError => {
    attempt.fail();
    return new AppError("conflict", "An account with this email already exists. Sign in instead.");
  };
  try {
    if (await findUserByEmail(deps.db, body.email)) throw emailTaken();
    const user = { id: newId("usr"), email: body.email, name: body.name };
    const inserted = await insertUser(deps.db, {
      ...user,
      password_hash: await hashPassword(body.password),
      created_at: isoAt(deps.clock),
    });
    if (!inserted) throw emailTaken(); // taken meanwhile: the unique index decided
    return { user, token: await startSession(deps, user.id) };
  } finally {
    attempt.end();
  }
}

export async function logIn(deps: Deps, body: LoginBody, client: string): Promise<NewSession> {
  const attempt = deps.limiters.login.begin(client);
  try {
    const row = await findUserByEmail(deps.db, body.email);
    const valid = await verifyPassword(row?.password_hash, body.password);
    if (!row || !valid) {
      attempt.fail();
      throw new AppError("unauthenticated", "The email or password is not right.");
    }
    return { user: toUser(row), token: await startSession(deps, row.id) };
  } finally {
    attempt.end();
  }
}

/**
 * Ends the session, and tells every replica so, so the event streams it opened end now rather than
 * at their next keep-alive check. The session is gone once the row is: an announcement that fails
 * is logged, not answered with an error, and those streams then end at that check.
 */
export async function logOut(deps: Deps, token: string | undefined): Promise<void> {
  const sessionId = token ? await deleteSession(deps.db, sha256Hex(token)) : undefined;
  if (!sessionId) return;
  await deps.bus
    .publish({ type: "session.ended", sessionId })
    .catch((error: unknown) => deps.log.warn({ err: error, sessionId }, "could not announce a sign-out"));
}

export async function authenticateSession(deps: Deps, token: string | undefined): Promise<User> {
  return (await findCurrentSession(deps, token)).user;
}

/** The session a token opens, with its id (a `ses_` id, never the token), or 401 unauthenticated. */
export async function findCurrentSession(
  deps: Deps,
  token: string | undefined,
): Promise<{ id: string; user: User }> {
  const session = token ? await findSession(deps.db, sha256Hex(token), isoAt(deps.clock)) : undefined;
  if (!session) throw new AppError("unauthenticated");
  return session;
}

async function startSession(deps: Deps, userId: string): Promise<string> {
  const token = randomToken();
  await insertSession(deps.db, {
    id: newId("ses"),
    token_hash: sha256Hex(token),
    user_id: userId,
    created_at: isoAt(deps.clock),
    expires_at: isoAt(deps.clock, SESSION_MS),
  });
  return token;
}
