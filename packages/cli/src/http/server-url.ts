import { createUsageError } from "../exit-error.ts";
import { endpointUrlOf } from "./endpoints.ts";

/**
 * Checks and normalises a server URL given by a flag, the environment or the credentials file:
 * http(s) only, no trailing slash, so paths can be appended and stored URLs compare equal.
 */
export function normalizeServerUrl(candidate: string, source: string): string {
  let url: URL;
  try {
    url = new URL(candidate.trim());
  } catch {
    throw createUsageError(`${source} is not a URL: "${candidate}". Use a URL like http://127.0.0.1:8080.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw createUsageError(`${source} must start with http:// or https://, not "${url.protocol}//".`);
  }
  if (url.username !== "" || url.password !== "") {
    throw createUsageError(`${source} must not contain a user name or password.`);
  }
  url.search = "";
  url.hash = "";
  return url.toString().replace(/\/+$/, "");
}

export function workerSocketUrlOf(server: string): URL {
  const url = endpointUrlOf(server, "connectWorker");
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url;
}
