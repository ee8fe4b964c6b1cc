/**
 * True for a URL of the JSON API (`/api/…`) as the client sent it: such a request is answered in
 * JSON, never with a page. A URL the router reaches only after decoding it ("/%61pi/…") is not one
 * here, so it gets what a page gets (both sets of security headers forbid framing and sniffing).
 */
export function isApiUrl(url: string): boolean {
  return url.startsWith("/api/") || url === "/api" || url.startsWith("/api?");
}
