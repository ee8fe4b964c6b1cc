import type { FastifyInstance } from "fastify";

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

/** Headers every response carries, as [name, value] pairs: the page ones stop framing, sniffing and foreign scripts. */
export function securityHeaders(https: boolean): readonly (readonly [string, string])[] {
  return [
    ["x-content-type-options", "nosniff"],
    ["referrer-policy", "same-origin"],
    ["x-frame-options", "DENY"],
    ["content-security-policy", CONTENT_SECURITY_POLICY],
    ["cross-origin-opener-policy", "same-origin"],
    ...(https ? [["strict-transport-security", "max-age=31536000"] as const] : []),
  ];
}

/** Sets the security headers on every response Fastify sends. */
export function registerSecurityHeaders(app: FastifyInstance, https: boolean): void {
  const headers = securityHeaders(https);
  // A callback hook: an async one costs every response a promise and a microtask.
  app.addHook("onSend", (_request, reply, payload, done) => {
    for (const [name, value] of headers) reply.header(name, value);
    done(null, payload);
  });
}
