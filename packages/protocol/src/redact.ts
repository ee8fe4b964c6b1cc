import { API_KEY_DISPLAY_PREFIX_LENGTH, API_KEY_PREFIX } from "./keys/api-key.ts";

const SHOWN_CHARACTERS = API_KEY_DISPLAY_PREFIX_LENGTH - API_KEY_PREFIX.length;

/**
 * Anything shaped like a key: the prefix, then base62 characters up to the next prefix (keys run
 * together are two keys), then an ellipsis if the text was redacted before. A truncated or
 * mistyped key is still a secret, so neither the length nor the checksum is required.
 */
const KEY_SHAPED = new RegExp(`${API_KEY_PREFIX}((?:(?!${API_KEY_PREFIX})[0-9A-Za-z])*)(…?)`, "g");

/**
 * Shows every key-shaped run of text as its display prefix followed by "…". Redacting twice
 * changes nothing: a display prefix already followed by "…" is left as it is.
 */
export function redactSecrets(text: string): string {
  return text.replace(KEY_SHAPED, (match, body: string, ellipsis: string) => {
    if (body.length === 0 && ellipsis === "") return match;
    if (ellipsis !== "" && body.length <= SHOWN_CHARACTERS) return match;
    return `${API_KEY_PREFIX}${body.slice(0, SHOWN_CHARACTERS)}…`;
  });
}
