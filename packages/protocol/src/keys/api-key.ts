/**
 * The worker API key format of API.md:
 *   cogno_wk_ + 40 random base62 characters + 6 base62 characters of the CRC-32 of those 40.
 * The checksum lets every program reject a mistyped or truncated key without a database look-up.
 * This module is the only place keys are generated or parsed.
 */
import { encodeBase62, isBase62, randomBase62 } from "./base62.ts";
import { crc32Ascii } from "./crc32.ts";

export const API_KEY_PREFIX = "cogno_wk_";
export const API_KEY_RANDOM_LENGTH = 40;
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH;
/** `cogno_wk_` and the first 8 random characters: enough to match a key to its row, useless to an attacker. */
export const API_KEY_DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export type ApiKeyParseFailure = "prefix" | "length" | "charset" | "checksum";

export type ApiKeyParseResult =
  | { ok: true; key: string; displayPrefix: string }
  | { ok: false; reason: ApiKeyParseFailure; message: string };

export function checksumOf(random: string): string {
  return encodeBase62(crc32Ascii(random), API_KEY_CHECKSUM_LENGTH);
}

export function generateApiKey(): string {
  const random = randomBase62(API_KEY_RANDOM_LENGTH);
  return API_KEY_PREFIX + random + checksumOf(random);
}

export function displayPrefixOf(key: string): string {
  return key.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH);
}

const FAILURE_MESSAGES: Record<ApiKeyParseFailure, string> = {
  prefix: `The key does not start with "${API_KEY_PREFIX}". Copy the whole key from Settings > API Keys.`,
  length: `The key is not ${API_KEY_LENGTH} characters long; it may have been cut off when copied. Copy the whole key again, or create a new one in Settings > API Keys.`,
  charset:
    "The key contains characters that a Cogno key never has (only letters and digits follow the prefix). Copy it again without spaces or quotes.",
  checksum:
    "The key's checksum does not match: a character was mistyped or changed. Copy the key again, or create a new one in Settings > API Keys.",
};

/**
 * Checks a candidate key offline. Leading and trailing white space is the caller's to trim:
 * a key read from a file or a prompt usually ends with a newline, but a header value must be exact.
 */
export function parseApiKey(candidate: string): ApiKeyParseResult {
  const fail = (reason: ApiKeyParseFailure): ApiKeyParseResult => ({
    ok: false,
    reason,
    message: FAILURE_MESSAGES[reason],
  });
  if (!candidate.startsWith(API_KEY_PREFIX)) return fail("prefix");
  if (candidate.length !== API_KEY_LENGTH) return fail("length");
  const body = candidate.slice(API_KEY_PREFIX.length);
  if (!isBase62(body)) return fail("charset");
  const random = body.slice(0, API_KEY_RANDOM_LENGTH);
  const checksum = body.slice(API_KEY_RANDOM_LENGTH);
  if (checksumOf(random) !== checksum) return fail("checksum");
  return { ok: true, key: candidate, displayPrefix: displayPrefixOf(candidate) };
}
