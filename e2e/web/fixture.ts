/** One real server (the shared harness) and one headless chromium per test file. */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { REPO_ROOT } from "../support/paths.ts";
import { type RunningServer, useServer } from "../support/server.ts";
import { launchBrowser } from "./browser.ts";

export interface WebFixture {
  readonly server: RunningServer;
  readonly browser: Browser;
  readonly baseUrl: string;
}

export function useWebFixture(env: Record<string, string> = {}): WebFixture {
  const served = useServer(env);
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get server() {
      return served.server;
    },
    get browser() {
      if (browser === undefined) throw new Error("useWebFixture: the browser starts in beforeAll");
      return browser;
    },
    get baseUrl() {
      return served.server.url;
    },
  };
}

/**
 * The README's pictures are refreshed on request (`npm run screenshots`); an ordinary test run still
 * takes every screenshot, into a temporary folder, so it never leaves the work tree changed.
 */
const SCREENSHOTS =
  process.env.COGNO_UPDATE_SCREENSHOTS === "1"
    ? join(REPO_ROOT, "docs", "screenshots")
    : join(tmpdir(), "cogno-screenshots");

/**
 * Saves a screenshot of the page. Only the SQLite run takes them, so the PostgreSQL run does not
 * repeat identical pictures. `mask` hides anything secret-shaped, as the help page asks.
 */
export async function saveScreenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean; mask?: ReturnType<Page["locator"]>[] } = {},
): Promise<void> {
  if (process.env.COGNO_TEST_DATABASE === "postgres") return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    fullPage: options.fullPage ?? false,
    mask: options.mask,
    maskColor: "#c9ced6",
    animations: "disabled",
  });
}
