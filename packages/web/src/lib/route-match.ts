/** Matches a path such as "/w/wsp_1/settings/api-keys" against a pattern such as "/w/:workspaceId/settings/api-keys". */
export type RouteParams = Record<string, string>;

export function matchRoute(pattern: string, pathname: string): RouteParams | null {
  const patternParts = splitPath(pattern);
  const pathParts = splitPath(pathname);
  if (patternParts.length !== pathParts.length) return null;
  const params: RouteParams = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? "";
    if (part.startsWith(":")) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return null; // a malformed escape is no route of ours
      }
      if (decoded === "") return null;
      params[part.slice(1)] = decoded;
    } else if (part !== actual) {
      return null;
    }
  }
  return params;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

/** Builds a path from segments, escaping each, so an id can never add a segment of its own. */
export function buildPath(...segments: string[]): string {
  return `/${segments.map((segment) => encodeURIComponent(segment)).join("/")}`;
}

/** Only same-app paths may be a post-sign-in destination: an open redirect would hand a session to anyone. */
export function safeNextPath(next: string | null): string | null {
  if (next === null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  return next;
}
