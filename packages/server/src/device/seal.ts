/**
 * Hands the raw key made on approval to the CLI that polls for it, without ever holding it in the
 * clear at rest. The server never keeps the device code (only its hash), so it cannot derive a
 * symmetric key from it at approval time; instead the approval seals to a public key:
 *
 * - at authorization, an X25519 key pair is derived from the device code (HKDF-SHA256) and only
 *   its public half is stored;
 * - at approval, the key is sealed to that public key: an ephemeral X25519 exchange, HKDF-SHA256,
 *   AES-256-GCM, bound to the authorization's id;
 * - at the successful poll, the device code the CLI sends re-derives the private half and opens it.
 *
 * Whoever reads the database (or a backup of it) holds the sealed key, the public key and the
 * hash of the device code: none of them opens the seal.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";

/** DER prefixes of an X25519 private key (PKCS #8) and public key (SPKI) around the raw 32 bytes (RFC 8410). */
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519_PREFIX = Buffer.from("302a300506032b656e032100", "hex");
const VERSION = "v1";

function derive(secret: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, salt, info, 32));
}

function privateKeyOf(deviceCode: string): KeyObject {
  const seed = derive(Buffer.from(deviceCode, "utf8"), Buffer.alloc(0), "cogno device login: seal key pair");
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, seed]), format: "der", type: "pkcs8" });
}

function rawPublicKey(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: "der", type: "spki" }).subarray(SPKI_X25519_PREFIX.length);
}

function wrappingKey(shared: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer): Buffer {
  return derive(shared, Buffer.concat([ephemeralPublic, recipientPublic]), "cogno device login: key wrap");
}

/** The public key to store for a device code (base64url of its 32 raw bytes). */
export function sealingPublicKeyOf(deviceCode: string): string {
  return rawPublicKey(privateKeyOf(deviceCode)).toString("base64url");
}

/** Seals `secret` to a stored public key; `context` (the authorization id) must match to open it. */
export function seal(secret: string, publicKey: string, context: string): string {
  const recipient = Buffer.from(publicKey, "base64url");
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralPublic = rawPublicKey(ephemeral.privateKey);
  const shared = diffieHellman({
    privateKey: ephemeral.privateKey,
    publicKey: createPublicKey({
      key: Buffer.concat([SPKI_X25519_PREFIX, recipient]),
      format: "der",
      type: "spki",
    }),
  });
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", wrappingKey(shared, ephemeralPublic, recipient), iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([ephemeralPublic, iv, cipher.getAuthTag(), sealed]).toString("base64url")}`;
}

/** Opens a seal with the device code; undefined when the code, the context or the seal is not right. */
export function unseal(sealedText: string, deviceCode: string, context: string): string | undefined {
  const [version, body] = sealedText.split(".");
  if (version !== VERSION || body === undefined) return undefined;
  const bytes = Buffer.from(body, "base64url");
  if (bytes.length < 32 + 12 + 16) return undefined;
  const ephemeralPublic = bytes.subarray(0, 32);
  const iv = bytes.subarray(32, 44);
  const tag = bytes.subarray(44, 60);
  const sealed = bytes.subarray(60);
  try {
    const privateKey = privateKeyOf(deviceCode);
    const shared = diffieHellman({
      privateKey,
      publicKey: createPublicKey({
        key: Buffer.concat([SPKI_X25519_PREFIX, ephemeralPublic]),
        format: "der",
        type: "spki",
      }),
    });
    const decipher = createDecipheriv(
      "aes-256-gcm",
      wrappingKey(shared, ephemeralPublic, rawPublicKey(privateKey)),
      iv,
    );
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
