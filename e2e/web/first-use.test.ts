/**
 * Defects found by trying the product as a new user would: commands that must run as pasted, a raw
 * key that must not be lost by Back or reload, the Create dialog's words and limits, the sign-in
 * form's words, dark mode, and a sign-in link whose "next" is not a path of this app.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppPage, type AppPageOptions, openAppPage } from "./browser.ts";
import { createMachine, type Machine } from "./cli.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import {
  createDialog,
  createFirstWorkspace,
  createKey,
  createKeysThroughApi,
  keyRow,
  newPerson,
  openSettings,
  type Person,
  rawKeyDialog,
  signUp,
  waitForText,
  workspaceIdFromUrl,
} from "./flows.ts";

const fixture = useWebFixture();
let machine: Machine;
const nina: Person = newPerson("Nina");

beforeAll(async () => {
  const first = await openAppPage(fixture.browser, fixture.baseUrl);
  await signUp(first.page, nina);
  await createFirstWorkspace(first.page, "First use");
  await first.context.close();
  machine = createMachine();
});

afterAll(() => {
  machine?.remove();
});

/** Each test starts from its own page, signed in as a new person in a workspace of their own. */
async function newUserPage(
  name: string,
  options: AppPageOptions = {},
): Promise<AppPage & { workspaceId: string }> {
  const app = await openAppPage(fixture.browser, fixture.baseUrl, options);
  await signUp(app.page, newPerson(name));
  await createFirstWorkspace(app.page, `${name}'s workspace`);
  return { ...app, workspaceId: workspaceIdFromUrl(app.page) };
}

/** Create, a name, Create: leaves the raw-key dialog open and returns the key it shows. */
async function openRawKeyDialog(app: AppPage, name: string): Promise<string> {
  const { page } = app;
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await createDialog(page).getByLabel("Name").fill(name);
  await createDialog(page).getByRole("button", { name: "Create", exact: true }).click();
  return rawKeyDialog(page).getByRole("textbox", { name: "API key" }).inputValue();
}

describe("commands the app offers to copy", () => {
  it("regression: 'Copy login command' copies a command that runs as pasted (it held a <key> placeholder)", async () => {
    const app = await newUserPage("Nina");
    const { page } = app;
    const rawKey = await openRawKeyDialog(app, "nina-laptop-worker");
    const dialog = rawKeyDialog(page);
    // What is shown keeps the key short; what is copied holds all of it.
    await waitForText(dialog, `cogno login --token ${rawKey.slice(0, 17)}… --server ${fixture.baseUrl}`);
    await dialog.getByRole("button", { name: "Copy login command" }).click();
    const copied = await app.readClipboard();
    expect(copied).toBe(`cogno login --token ${rawKey} --server ${fixture.baseUrl}`);
    const login = await machine.runShell(copied);
    expect(login.code, login.stdout + login.stderr).toBe(0);
    expect(login.stdout + login.stderr).toContain("nina-laptop-worker");
    // The key went to the clipboard inside the command: closing no longer asks.
    await dialog.getByRole("button", { name: "Done" }).click();
    await dialog.waitFor({ state: "detached" });

    // Settings > Workers, before any worker: the command reads the key from standard input.
    await openSettings(page, "Workers");
    await page.getByRole("button", { name: "Copy login command" }).click();
    const fromWorkersPage = await app.readClipboard();
    expect(fromWorkersPage).toBe(`cogno login --token - --server ${fixture.baseUrl}`);
    const pasted = await machine.runShell(fromWorkersPage, `${rawKey}\n`);
    expect(pasted.code, pasted.stdout + pasted.stderr).toBe(0);
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("a raw key on screen", () => {
  it("regression: Back asks before leaving the uncopied key (it was lost silently)", async () => {
    const app = await newUserPage("Otto");
    const { page } = app;
    await openSettings(page, "Workers");
    await openSettings(page, "API Keys");
    const apiKeysUrl = page.url();
    const rawKey = await openRawKeyDialog(app, "otto-back-button-worker");
    const dialog = rawKeyDialog(page);

    await page.evaluate(() => window.history.back());
    await waitForText(dialog.getByRole("alert"), "If you leave this page, the key is gone for good");
    expect(page.url()).toBe(apiKeysUrl);
    await dialog.getByRole("button", { name: "Go back" }).click();
    expect(await dialog.getByRole("textbox", { name: "API key" }).inputValue()).toBe(rawKey);

    // Asked again, the person may still leave.
    await page.evaluate(() => window.history.back());
    await dialog.getByRole("button", { name: "Leave without copying" }).click();
    await page.getByRole("heading", { name: "Workers", level: 1 }).waitFor();
    await dialog.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(rawKey);
    expect(app.consoleErrors()).toEqual([]);
  });

  it("regression: a reload asks the browser's 'Leave site?' first while the key is uncopied", async () => {
    const app = await newUserPage("Paula", { expectedDialogTypes: ["beforeunload"] });
    const { page } = app;
    const rawKey = await openRawKeyDialog(app, "paula-reload-worker");
    const dialogsBefore = app.expectedDialogs().length;
    // The test dismisses the question ("stay"), so the reload never happens.
    const reload = page.reload({ timeout: 5_000 }).catch(() => undefined);
    await expect.poll(() => app.expectedDialogs().length).toBe(dialogsBefore + 1);
    await reload;
    expect(app.expectedDialogs().at(-1)).toBe("beforeunload");
    expect(await rawKeyDialog(page).getByRole("textbox", { name: "API key" }).inputValue()).toBe(rawKey);

    // Once copied, the key is the person's to keep: leaving asks nothing.
    await rawKeyDialog(page).getByRole("button", { name: "Copy API key" }).click();
    await rawKeyDialog(page).getByRole("button", { name: "Done" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();
    expect(app.expectedDialogs().length).toBe(dialogsBefore + 1);
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("the Create dialog", () => {
  it("regression: 'Enter a name' goes once a name is typed, and a 500-character paste is counted and refused, not cut to 100", async () => {
    const app = await newUserPage("Quinn");
    const { page } = app;
    await page.getByRole("button", { name: "Create", exact: true }).click();
    const dialog = createDialog(page);
    const name = dialog.getByLabel("Name");
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    await waitForText(dialog.getByRole("alert"), "Enter a name for the key");
    await name.fill("n");
    expect(await dialog.getByText("Enter a name for the key").count()).toBe(0);
    expect(await name.getAttribute("aria-invalid")).toBeNull();
    await waitForText(dialog.getByTestId("character-counter"), "1 / 100");

    const long = "x".repeat(500);
    await name.fill(long);
    expect(await name.inputValue()).toBe(long);
    await waitForText(dialog.getByTestId("character-counter"), "500 / 100");
    await waitForText(dialog.getByRole("alert"), "Names are at most 100 characters; this one has 500.");
    expect(await dialog.getByRole("button", { name: "Create", exact: true }).isDisabled()).toBe(true);
    await name.fill("x".repeat(100));
    await waitForText(dialog.getByTestId("character-counter"), "100 / 100");
    expect(await dialog.getByRole("button", { name: "Create", exact: true }).isDisabled()).toBe(false);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(app.consoleErrors()).toEqual([]);
  });

  it("regression: a twin name is warned about, and each row's Revoke button has a name of its own", async () => {
    const app = await newUserPage("Nina");
    const { page } = app;
    const first = await createKey(page, "nina-ci-worker", app.readClipboard);
    await page.getByRole("button", { name: "Create", exact: true }).click();
    const dialog = createDialog(page);
    await dialog.getByLabel("Name").fill("Nina-CI-worker ");
    await waitForText(
      dialog,
      `You already have an active key named "nina-ci-worker" (${first.slice(0, 17)}…)`,
    );
    await page.keyboard.press("Escape");
    // Warned, the person may still go ahead.
    const second = await createKey(page, "nina-ci-worker", app.readClipboard);

    const rows = keyRow(page, "nina-ci-worker");
    await expect.poll(() => rows.count()).toBe(2);
    const names = await rows
      .getByRole("button")
      .evaluateAll((buttons) => buttons.map((button) => button.getAttribute("aria-label")));
    // Rename, Roll and Revoke on each of the two rows: six buttons, six names.
    expect(names).toHaveLength(6);
    expect(new Set(names).size).toBe(6);
    for (const key of [first, second]) {
      await rows.getByRole("button", { name: `Revoke nina-ci-worker (${key.slice(0, 17)}…)` }).waitFor();
    }
    expect(app.consoleErrors()).toEqual([]);
  });

  it("regression: a key prefix never breaks across lines, at any width", async () => {
    const app = await newUserPage("Rosa");
    const { page } = app;
    const names = ["rosa-laptop-worker", "a-rather-long-name-for-the-build-machine-in-the-basement-2026-06"];
    expect(await createKeysThroughApi(page, app.workspaceId, names)).toEqual([201, 201]);
    await keyRow(page, names[1] ?? "").waitFor();
    for (const width of [1280, 1100, 960, 820, 700, 641, 560, 480, 375, 320]) {
      await page.setViewportSize({ width, height: 860 });
      const lineCounts = await page
        .locator("code.key-prefix, [data-label='Prefix'] code")
        .evaluateAll((codes) => codes.map((code) => code.getClientRects().length));
      expect(lineCounts.length, `${width} px`).toBeGreaterThan(0);
      expect(new Set(lineCounts), `${width} px`).toEqual(new Set([1]));
    }
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("signing in", () => {
  it("regression: an empty sign-in says what to fill in, in plain words (it showed 'Invalid body. email must not be empty.')", async () => {
    const fresh = await openAppPage(fixture.browser, fixture.baseUrl);
    const { page } = fresh;
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Sign in" }).click();
    await waitForText(page.locator("main"), "Enter your email address.");
    await waitForText(page.locator("main"), "Enter your password.");
    expect(await page.locator("main").textContent()).not.toMatch(/Invalid body|must not be empty/);
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("Email").fill("nina");
    await page.getByRole("button", { name: "Sign in" }).click();
    await waitForText(page.locator("main"), "Enter an email address, such as alice@example.com.");
    expect(fresh.consoleErrors()).toEqual([]);
  });

  it("regression: a sign-in link whose next is /<tab>/evil.example lands in the app (the page went blank)", async () => {
    const fresh = await openAppPage(fixture.browser, fixture.baseUrl);
    const { page } = fresh;
    await page.goto(`/sign-in?next=${encodeURIComponent("/\t/evil.example")}`);
    await page.getByLabel("Email").fill(nina.email);
    await page.getByLabel("Password").fill(nina.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();
    expect(new URL(page.url()).origin).toBe(fixture.baseUrl);
    expect(fresh.consoleErrors()).toEqual([]);
  });
});

describe("dark mode", () => {
  /** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
  function luminance(color: string): number {
    const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).map(Number);
    const linear = (value: number) => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  }

  it("regression: follows the system's dark setting (there was no dark mode)", async () => {
    const dark = await newUserPage("Sasha", { colorScheme: "dark" });
    const { page } = dark;
    expect(await createKeysThroughApi(page, dark.workspaceId, ["sasha-night-shift-worker"])).toEqual([201]);
    await keyRow(page, "sasha-night-shift-worker").waitFor();
    const colors = await page.evaluate(() => {
      const style = (selector: string) => {
        const element = document.querySelector(selector);
        if (element === null) throw new Error(`no ${selector}`);
        return getComputedStyle(element);
      };
      return {
        page: style("html").backgroundColor,
        surface: style(".data-table").backgroundColor,
        text: style("main h1").color,
      };
    });
    expect(luminance(colors.page)).toBeLessThan(0.05);
    expect(luminance(colors.surface)).toBeLessThan(0.05);
    expect(luminance(colors.text)).toBeGreaterThan(0.6);
    // Text against its background keeps at least the 4.5:1 contrast of WCAG AA.
    expect((luminance(colors.text) + 0.05) / (luminance(colors.surface) + 0.05)).toBeGreaterThan(4.5);
    await saveScreenshot(page, "dark-mode");
    expect(dark.consoleErrors()).toEqual([]);
  });
});
