export * from "./api/errors.ts";
export * from "./api/schemas.ts";
export * from "./keys/api-key.ts";
export { BASE62_ALPHABET, encodeBase62, isBase62, randomBase62 } from "./keys/base62.ts";
export { crc32Ascii } from "./keys/crc32.ts";
export { redactSecrets } from "./redact.ts";
export * from "./worker/messages.ts";
