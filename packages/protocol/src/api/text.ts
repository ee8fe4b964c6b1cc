/**
 * Text a client sends that other people will read (names, hostnames): control characters are
 * stripped before anything stores, logs or prints it, so a name cannot clear a screen, retitle a
 * terminal, write the clipboard (OSC 52) or forge a log line.
 */
import { z } from "zod";

/**
 * C0 and C1 controls (tab and newline included: a name is one line), DEL, and the Unicode bidi
 * overrides and isolates that make text display in an order other than the one it is stored in.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function stripControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, "");
}

/** The same characters, shown as visible escapes: for text that must be printed, never hidden. */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export const NAME_MAX = 100;

/** A name a person reads: controls stripped, trimmed, 1 to `max` characters. */
export function cleanTextSchema(field: string, max: number = NAME_MAX) {
  return z
    .string({ error: `${field} must be a string` })
    .transform(stripControlCharacters)
    .pipe(
      z
        .string()
        .trim()
        .min(1, { error: `${field} must not be empty` })
        .max(max, { error: `${field} must be at most ${max} characters` }),
    );
}
