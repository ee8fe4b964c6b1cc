/**
 * Debian's chromium driven by playwright-core (the system browser, not one Playwright downloads), plus a
 * page that records console errors so every test can assert the app logged none.
 */
import { execFileSync } from "node:child_process";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium is not installed: run `apt-get install -y chromium` or set CHROMIUM_PATH");
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
}

export interface AppPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions so far, minus the HTTP statuses the test expects. */
  consoleErrors: () => string[];
  readClipboard: () => Promise<string>;
  /** Types of the native dialogs shown so far that the test expected (each was dismissed). */
  expectedDialogs: () => string[];
}

export interface AppPageOptions {
  width?: number;
  height?: number;
  /**
   * Statuses the browser may log as "Failed to load resource": the app's own expected answers,
   * such as 401 from /me before sign-in or 409 at the key limit. Anything else is an error.
   */
  expectedStatuses?: readonly number[];
  /** Native dialogs the test expects, such as "beforeunload"; they are dismissed and recorded. */
  expectedDialogTypes?: readonly string[];
  colorScheme?: "light" | "dark";
}

export async function openAppPage(
  browser: Browser,
  baseUrl: string,
  options: AppPageOptions = {},
): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    baseURL: baseUrl,
    colorScheme: options.colorScheme ?? "light",
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  const page = await context.newPage();
  const expected = new Set(options.expectedStatuses ?? [401]);
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    if (status !== undefined && expected.has(Number(status))) return;
    errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  // No test expects a native alert; one would mean injected script ran.
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    if (options.expectedDialogTypes?.includes(dialog.type())) dialogs.push(dialog.type());
    else errors.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return {
    page,
    context,
    consoleErrors: () => [...errors],
    readClipboard: () => page.evaluate(() => navigator.clipboard.readText()),
    expectedDialogs: () => [...dialogs],
  };
}
