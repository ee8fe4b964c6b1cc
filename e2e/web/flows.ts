/** The help page's steps as a person does them in the browser, shared by the scenario tests. */
import type { Locator, Page } from "playwright-core";

export interface Person {
  name: string;
  email: string;
  password: string;
}

let people = 0;
export function newPerson(name: string): Person {
  people += 1;
  return {
    name,
    email: `${name.toLowerCase().replace(/\W+/g, ".")}.${process.pid}.${people}@example.com`,
    password: "correct horse battery staple",
  };
}

/** Signs up from the sign-in page; the app then asks for the first workspace's name. */
export async function signUp(page: Page, person: Person, startPath = "/"): Promise<void> {
  await page.goto(startPath);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

export async function createFirstWorkspace(page: Page, name: string): Promise<string> {
  await page.getByLabel("Workspace name").fill(name);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();
  return workspaceIdFromUrl(page);
}

export function workspaceIdFromUrl(page: Page): string {
  const id = /\/w\/([^/]+)\//.exec(new URL(page.url()).pathname)?.[1];
  if (id === undefined) throw new Error(`no workspace in ${page.url()}`);
  return decodeURIComponent(id);
}

export async function openSettings(page: Page, section: "API Keys" | "Workers" | "Members"): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: section }).click();
  await page.getByRole("heading", { name: section, level: 1 }).waitFor();
}

export function createDialog(page: Page): Locator {
  return page.getByRole("dialog", { name: "Create an API key" });
}

export function rawKeyDialog(page: Page): Locator {
  return page.getByRole("dialog", { name: "Copy your new API key" });
}

/**
 * Seed steps 4 to 7 on the API Keys page: Create, name, Create, copy. Returns the raw key as the
 * clipboard holds it, then closes the dialog.
 */
export async function createKey(
  page: Page,
  name: string,
  readClipboard: () => Promise<string>,
): Promise<string> {
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await createDialog(page).getByLabel("Name").fill(name);
  await createDialog(page).getByRole("button", { name: "Create", exact: true }).click();
  const dialog = rawKeyDialog(page);
  await dialog.getByRole("button", { name: "Copy API key" }).click();
  await dialog.getByRole("button", { name: "Done" }).waitFor();
  const rawKey = await readClipboard();
  await dialog.getByRole("button", { name: "Done" }).click();
  await dialog.waitFor({ state: "detached" });
  return rawKey;
}

export function keyRow(page: Page, name: string): Locator {
  return page
    .getByRole("table", { name: "API keys" })
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name, exact: true }) });
}

export function workerRows(page: Page): Locator {
  return page.getByRole("table", { name: "Workers" }).locator("tbody tr");
}

/** Marks the document so a test can prove a change arrived without a reload. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.documentElement.dataset.e2eMark = "still-here";
  });
}

export async function documentIsMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.dataset.e2eMark === "still-here");
}

/** Creates keys through the API from inside the page (same origin, session cookie). */
export async function createKeysThroughApi(
  page: Page,
  workspaceId: string,
  names: string[],
): Promise<number[]> {
  return page.evaluate(
    async ({ workspaceId: id, names: all }) => {
      const statuses: number[] = [];
      for (const name of all) {
        const response = await fetch(`/api/v1/workspaces/${encodeURIComponent(id)}/api-keys`, {
          method: "POST",
          credentials: "same-origin",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name }),
        });
        statuses.push(response.status);
      }
      return statuses;
    },
    { workspaceId, names },
  );
}

export async function waitForText(
  locator: Locator,
  text: string | RegExp,
  timeoutMs = 15_000,
): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: timeoutMs });
}
