/** The base62 alphabet of API.md: digits, then upper case, then lower case. */
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const BASE62_CHARACTER = /^[0-9A-Za-z]*$/;

export function isBase62(text: string): boolean {
  return BASE62_CHARACTER.test(text);
}

/** Writes a non-negative integer in base62, most significant digit first, left-padded with "0". */
export function encodeBase62(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`encodeBase62 takes a non-negative safe integer, got ${value}`);
  }
  let digits = "";
  let rest = value;
  do {
    digits = BASE62_ALPHABET.charAt(rest % 62) + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  if (digits.length > width) {
    throw new RangeError(`${value} needs ${digits.length} base62 digits, more than ${width}`);
  }
  return digits.padStart(width, "0");
}

/**
 * Draws `length` base62 characters from a CSPRNG. Bytes of 248 and above are thrown away
 * (rejection sampling), so each character is uniform: 248 is the largest multiple of 62 under 256.
 */
export function randomBase62(length: number): string {
  let out = "";
  const buffer = new Uint8Array(length * 2);
  while (out.length < length) {
    globalThis.crypto.getRandomValues(buffer);
    for (const byte of buffer) {
      if (byte < 248) {
        out += BASE62_ALPHABET.charAt(byte % 62);
        if (out.length === length) break;
      }
    }
  }
  return out;
}
