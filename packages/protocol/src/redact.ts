import { API_KEY_DISPLAY_PREFIX_LENGTH, API_KEY_PREFIX } from "./keys/api-key.ts";

/**
 * Anything shaped like a key: the prefix and at least the 8 characters of the display prefix.
 * A truncated or mistyped key is still a secret, so the checksum is not required here.
 */
const KEY_SHAPED = new RegExp(`${API_KEY_PREFIX}[0-9A-Za-z]{8}[0-9A-Za-z]*`, "g");
const SHORT_KEY_SHAPED = new RegExp(`${API_KEY_PREFIX}[0-9A-Za-z]{1,7}(?![0-9A-Za-z])`, "g");

/** Shows every key-shaped run of text as its display prefix followed by "…". */
export function redactSecrets(text: string): string {
  return text
    .replace(KEY_SHAPED, (match) => `${match.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH)}…`)
    .replace(SHORT_KEY_SHAPED, `${API_KEY_PREFIX}…`);
}
