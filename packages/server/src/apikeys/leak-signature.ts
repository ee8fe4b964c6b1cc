/**
 * The signature GitHub's secret scanning puts on a partner report: `Github-Public-Key-Signature`
 * holds a base64 DER ECDSA signature (NIST P-256, SHA-256) over the raw request body, made with
 * one of the keys GitHub publishes at https://api.github.com/meta/public_keys/secret_scanning.
 * The server is given those public keys (PEM) in COGNO_LEAK_REPORT_PUBLIC_KEYS; a report verifies
 * if any of them verifies it, so the setting can hold the current and the next key across a
 * rotation.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { ConfigError } from "../config.ts";

export const SIGNATURE_HEADER = "github-public-key-signature";

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/**
 * The keys of the setting. A setting that holds no usable EC public key stops the server at start
 * (a ConfigError, as for every other setting), rather than leaving the endpoint unprotected.
 */
export function parseLeakReportKeys(setting: string): KeyObject[] {
  // Environment files often carry a PEM on one line with literal "\n" escapes.
  const blocks = setting.replace(/\\n/g, "\n").match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    throw new ConfigError(
      "COGNO_LEAK_REPORT_PUBLIC_KEYS holds no PEM public key (-----BEGIN PUBLIC KEY-----).",
    );
  return blocks.map((pem, index) => {
    let key: KeyObject | undefined;
    try {
      key = createPublicKey(pem);
    } catch {
      key = undefined;
    }
    if (key?.asymmetricKeyType !== "ec")
      throw new ConfigError(
        `COGNO_LEAK_REPORT_PUBLIC_KEYS: public key ${index + 1} is not an ECDSA public key in PEM form. Copy the keys from https://api.github.com/meta/public_keys/secret_scanning.`,
      );
    return key;
  });
}

/** Whether `signature` (the header's base64 value) is a signature of exactly `body` by one of `keys`. */
export function isSignedByAny(keys: KeyObject[], body: Buffer, signature: string | undefined): boolean {
  if (signature === undefined || signature.trim() === "") return false;
  const der = Buffer.from(signature.trim(), "base64");
  return keys.some((key) => {
    try {
      return verify("sha256", body, key, der);
    } catch {
      return false; // not a DER signature at all
    }
  });
}
