/**
 * The CLI's settings, read once at start-up. This is the only module that looks at `process.env`;
 * everything deeper receives a `CliConfig`.
 */
import { homedir, hostname } from "node:os";
import { isAbsolute, join } from "node:path";
import type { BrowserEnvironment } from "./device-login/open-browser.ts";

declare const __COGNO_VERSION__: string | undefined;

export const DEFAULT_SERVER = "http://127.0.0.1:8080";

export interface CliConfig {
  /** `$XDG_CONFIG_HOME/cogno`, or `~/.config/cogno`. */
  configDir: string;
  /** `COGNO_TOKEN`: overrides the stored key (CI secret stores). */
  envToken: string | undefined;
  /** `COGNO_SERVER`: overrides the stored server URL. */
  envServer: string | undefined;
  version: string;
  hostname: string;
  os: string;
  arch: string;
  /** Where `cogno login` looks for a browser opener. */
  browser: BrowserEnvironment;
}

export function readCliVersion(): string {
  // The bundle replaces the identifier with package.json's version; tests run the sources unbundled.
  return typeof __COGNO_VERSION__ === "string" ? __COGNO_VERSION__ : "0.0.0-dev";
}

export function resolveConfigDir(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG base directory spec says a relative value is invalid and must be ignored.
  const base = xdg !== undefined && xdg !== "" && isAbsolute(xdg) ? xdg : join(home, ".config");
  return join(base, "cogno");
}

function readNonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

export function readCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return {
    configDir: resolveConfigDir(env, homedir()),
    envToken: readNonEmpty(env.COGNO_TOKEN),
    envServer: readNonEmpty(env.COGNO_SERVER),
    version: readCliVersion(),
    hostname: hostname(),
    os: process.platform,
    arch: process.arch,
    browser: {
      platform: process.platform,
      searchPath: env.PATH,
      hasDisplay: readNonEmpty(env.DISPLAY) !== undefined || readNonEmpty(env.WAYLAND_DISPLAY) !== undefined,
    },
  };
}
