/**
 * Security headers (SPEC.md: "security headers on pages"). A page of the web app gets the set a
 * document needs: a content security policy for its scripts, styles and images, no framing, no
 * sniffing, no referrer beyond the site, its own browsing context group. An answer of the JSON API
 * is never a document a browser renders, so it gets what OWASP's REST Security cheat sheet lists
 * for one: no sniffing, no framing and a policy allowing nothing. The policies for documents
 * (referrer, opener, script sources) would only lengthen the answer a worker parses on every call.
 */
import type { FastifyInstance } from "fastify";
import { isApiUrl } from "./api-url.ts";

const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

type HeaderPairs = readonly (readonly [string, string])[];

export interface SecurityHeaders {
  /** Pages, the web app's files and everything else outside the JSON API. */
  page: HeaderPairs;
  /** Every answer of the JSON API (`/api/…`), errors included. */
  api: HeaderPairs;
}

export function securityHeaders(https: boolean): SecurityHeaders {
  const everywhere: HeaderPairs = [
    ["x-content-type-options", "nosniff"],
    ["x-frame-options", "DENY"],
    ...(https ? [["strict-transport-security", "max-age=31536000"] as const] : []),
  ];
  return {
    page: [
      ...everywhere,
      ["content-security-policy", PAGE_CONTENT_SECURITY_POLICY],
      ["referrer-policy", "same-origin"],
      ["cross-origin-opener-policy", "same-origin"],
    ],
    api: [...everywhere, ["content-security-policy", API_CONTENT_SECURITY_POLICY]],
  };
}

/** Sets the security headers on every response Fastify sends. */
export function registerSecurityHeaders(app: FastifyInstance, https: boolean): void {
  const { page, api } = securityHeaders(https);
  // A callback hook: an async one costs every response a promise and a microtask.
  app.addHook("onSend", (request, reply, payload, done) => {
    for (const [name, value] of isApiUrl(request.url) ? api : page) reply.header(name, value);
    done(null, payload);
  });
}
