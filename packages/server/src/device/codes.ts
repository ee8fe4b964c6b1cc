/**
 * The two codes of a browser login (RFC 8628 §6.1): the device code, a 256-bit secret only the CLI
 * holds, and the user code a person types or compares: 8 letters from an alphabet with no vowels
 * (no words spelled by chance) and no look-alikes (no I, O, U, digits), shown as XXXX-XXXX.
 */
import { randomBytes, randomInt } from "node:crypto";

export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
export const USER_CODE_LENGTH = 8;

const USER_CODE = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);

/** 8 letters of 20: about 34.5 bits, with guesses rate-limited and a code living 10 minutes. */
export function generateUserCode(): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** XXXX-XXXX, as the CLI prints it and the page shows it. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a person typed, as stored: case, dashes and spaces do not matter. Undefined if it cannot be a code. */
export function normalizeUserCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  return USER_CODE.test(code) ? code : undefined;
}

export function generateDeviceCode(): string {
  return randomBytes(32).toString("base64url");
}
