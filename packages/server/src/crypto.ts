import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/** SHA-256 as hex: how raw keys, session tokens and invitation tokens are stored. */
export function sha256Hex(secret: string): string {
  // One-shot hash: on the path of every bearer request, a third of createHash's cost.
  return hash("sha256", secret, "hex");
}

/** An opaque 256-bit token for cookies and invitation links. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function equalInConstantTime(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
