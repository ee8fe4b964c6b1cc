/**
 * Opens the approval page in the user's browser when a simple opener exists (`open` on macOS,
 * `xdg-open` on a Linux desktop, the URL handler on Windows), the way `gh auth login` does. It never
 * fails the login: the page's address is printed either way. On a machine without a display (an SSH
 * session, a server) nothing is started, since xdg-open would fall back to a text browser that takes
 * over the terminal.
 */
import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";

export interface BrowserEnvironment {
  platform: NodeJS.Platform;
  /** `PATH`, where the opener is looked for. */
  searchPath: string | undefined;
  /** Whether a graphical session is there to show a browser (`DISPLAY` or `WAYLAND_DISPLAY` on Linux). */
  hasDisplay: boolean;
}

export interface BrowserOpener {
  command: string;
  argumentsFor: (url: string) => string[];
}

async function findExecutable(name: string, searchPath: string | undefined): Promise<string | undefined> {
  for (const dir of (searchPath ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function findBrowserOpener(environment: BrowserEnvironment): Promise<BrowserOpener | undefined> {
  const lookFor = async (name: string, argumentsFor: (url: string) => string[]) => {
    const command = await findExecutable(name, environment.searchPath);
    return command === undefined ? undefined : { command, argumentsFor };
  };
  switch (environment.platform) {
    case "darwin":
      return lookFor("open", (url) => [url]);
    case "win32":
      // No shell: `start` would read & in a URL as a command separator.
      return lookFor("rundll32.exe", (url) => ["url.dll,FileProtocolHandler", url]);
    default:
      return environment.hasDisplay ? lookFor("xdg-open", (url) => [url]) : undefined;
  }
}

/** Only web pages are opened: an opener handed a file: or a custom scheme would run whatever handles it. */
export function isWebUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/** Resolves whether a browser was started; never rejects. */
export function createBrowserOpener(environment: BrowserEnvironment): (url: string) => Promise<boolean> {
  return async (url) => {
    if (!isWebUrl(url)) return false;
    const opener = await findBrowserOpener(environment);
    if (opener === undefined) return false;
    return new Promise((resolve) => {
      const child = spawn(opener.command, opener.argumentsFor(url), { stdio: "ignore", detached: true });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
        resolve(true);
      });
    });
  };
}
