/**
 * Cross-origin protection for state-changing requests. Browsers say where a request comes from
 * (Sec-Fetch-Site, Origin); anything from another site is refused. Clients that send neither
 * header (the CLI, curl, servers) are not browsers and cannot carry a victim's cookie, so they pass.
 */
import type { FastifyRequest } from "fastify";
import { AppError } from "./errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function checkSameOrigin(request: FastifyRequest, publicUrl: URL | undefined): void {
  if (SAFE_METHODS.has(request.method)) return;
  const fetchSite = headerValue(request, "sec-fetch-site");
  if (fetchSite !== undefined) {
    if (fetchSite === "same-origin" || fetchSite === "none") return;
    throw new AppError("cross_origin_rejected");
  }
  const origin = headerValue(request, "origin");
  if (origin === undefined) return;
  if (origin !== expectedOrigin(request, publicUrl)) throw new AppError("cross_origin_rejected");
}

function expectedOrigin(request: FastifyRequest, publicUrl: URL | undefined): string {
  if (publicUrl) return publicUrl.origin;
  return `${request.protocol}://${request.host}`;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
