/** One real server on a temporary store and one headless chromium, per test file. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { REPO_ROOT } from "../support/paths.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import { createTestStore, type TestStore } from "../support/store.ts";
import { launchBrowser } from "./browser.ts";

export interface WebFixture {
  server: RunningServer;
  browser: Browser;
  baseUrl: string;
  close: () => Promise<void>;
}

export async function startWebFixture(env: Record<string, string> = {}): Promise<WebFixture> {
  const store: TestStore = await createTestStore();
  const server = await startServer({ store, env });
  const browser = await launchBrowser();
  return {
    server,
    browser,
    baseUrl: server.url,
    close: async () => {
      await browser.close();
      await server.stop();
      await store.cleanup();
    },
  };
}

const SCREENSHOTS = join(REPO_ROOT, "docs", "screenshots");

/**
 * Saves a screenshot for the README. Only the SQLite run writes them, so the PostgreSQL run does
 * not overwrite identical pictures. `mask` hides anything secret-shaped, as the help page asks.
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
