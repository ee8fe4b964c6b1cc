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

/**
 * Characters a browser drops from a URL, or reads as a slash, before it resolves it: the tab in
 * "/\t/evil.example" is removed, leaving "//evil.example", another host; a backslash is a slash to
 * a URL parser. C1 controls have no place in an app path either, nor has a raw space; once
 * unescaped, a path may hold a space ("%20").
 */
export function holdsUnsafeCharacter(text: string, { spaceAllowed }: { spaceAllowed: boolean }): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || char === "\\") return true;
    if (code === 0x20 && !spaceAllowed) return true;
  }
  return false;
}

/**
 * Whether a string is a path of this app: one leading slash and no second one or backslash after
 * it, no control character or whitespace, and no escape that unescapes into those ("/%2F/host",
 * "/%5Chost", "/%09/host"), nor a malformed escape. Other origins, "//host", "/\\host" and
 * "javascript:" are not app paths.
 */
export function isAppPath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || holdsUnsafeCharacter(path, { spaceAllowed: false }))
    return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  if (holdsUnsafeCharacter(decoded, { spaceAllowed: true }) || decoded.startsWith("//")) return false;
  // The URL parser has the last word: the path must resolve on this origin.
  const base = "http://app.invalid";
  return new URL(path, base).origin === base;
}

/** Only same-app paths may be a post-sign-in destination: an open redirect would hand a session to anyone. */
export function safeNextPath(next: string | null): string | null {
  return next !== null && isAppPath(next) ? next : null;
}
