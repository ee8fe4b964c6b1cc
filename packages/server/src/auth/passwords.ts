import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (19 MiB, 2 passes): OWASP's recommended minimum.
const ARGON2ID = 2;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a password against a stored hash. With no user (unknown email) it verifies against a
 * dummy hash anyway, so the answer takes as long and nobody can probe which emails have accounts.
 */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    dummyHash ??= hashPassword("not-a-real-password-used-for-timing");
    await verify(await dummyHash, password);
    return false;
  }
  return verify(storedHash, password);
}
