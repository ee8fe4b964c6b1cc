/**
 * What must never happen in the browser: markup from a key name running, a raw key outliving its
 * dialog; and what must always work: Copy for LLM, the keyboard inside dialogs, a 375 px screen.
 */

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createApiKeyResponseSchema } from "@cogno/protocol";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/paths.ts";
import { type AppPage, openAppPage } from "./browser.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import {
  createDialog,
  createFirstWorkspace,
  keyRow,
  newPerson,
  openSettings,
  rawKeyDialog,
  signUp,
  waitForText,
} from "./flows.ts";

const fixture = useWebFixture();
let app: AppPage;
const dana = newPerson("Dana");

beforeAll(async () => {
  app = await openAppPage(fixture.browser, fixture.baseUrl);
  await signUp(app.page, dana);
  await createFirstWorkspace(app.page, "Safety");
});

/** Reads the raw key from the network answer (browser side), so the test itself leaves no copy in the page. */
function captureCreatedKey(page: Page): Promise<string> {
  return page
    .waitForResponse(
      (response) => response.request().method() === "POST" && response.url().endsWith("/api-keys"),
    )
    .then(async (response) => createApiKeyResponseSchema.parse(await response.json()).key);
}

async function heapHolds(page: Page, text: string): Promise<boolean> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on("HeapProfiler.addHeapSnapshotChunk", ({ chunk }) => chunks.push(chunk));
  await cdp.send("HeapProfiler.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  await cdp.detach();
  return chunks.join("").includes(text);
}

describe("a key name is text, never markup", () => {
  it("shows <img src=x onerror=alert(1)> literally in the list and the revoke dialog", async () => {
    const { page } = app;
    const name = "<img src=x onerror=alert(1)>";
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await createDialog(page).getByLabel("Name").fill(name);
    await createDialog(page).getByRole("button", { name: "Create", exact: true }).click();
    await waitForText(rawKeyDialog(page), name);
    await rawKeyDialog(page).getByRole("button", { name: "Copy API key" }).click();
    await rawKeyDialog(page).getByRole("button", { name: "Done" }).click();

    const row = keyRow(page, name);
    expect(await row.getByRole("rowheader").textContent()).toBe(name);
    await row.getByRole("button", { name: `Revoke ${name}` }).click();
    await waitForText(page.getByRole("alertdialog"), `Key ${name}`);
    await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
    expect(await page.locator("img").count()).toBe(0);
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("the raw key dialog", () => {
  it("asks before closing uncopied, and afterwards the key is gone from the DOM, storage and memory", async () => {
    const { page } = app;
    await openSettings(page, "API Keys");
    const created = captureCreatedKey(page);
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await createDialog(page).getByLabel("Name").fill("dana-scratch-worker");
    await createDialog(page).getByRole("button", { name: "Create", exact: true }).click();
    const rawKey = await created;
    const dialog = rawKeyDialog(page);
    await dialog.waitFor();
    // The probe can see the key while the dialog holds it, so its "no" below means something.
    expect(await heapHolds(page, rawKey)).toBe(true);

    // Escape without copying asks first; "Go back" keeps the key on screen.
    await page.keyboard.press("Escape");
    await waitForText(dialog.getByRole("alert"), "You have not copied the key.");
    await saveScreenshot(page, "raw-key-close-confirmation", {
      mask: [dialog.getByRole("textbox", { name: "API key" })],
    });
    await dialog.getByRole("button", { name: "Go back" }).click();
    expect(await dialog.getByRole("alert").count()).toBe(0);
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await dialog.getByRole("button", { name: "Close without copying" }).click();
    await dialog.waitFor({ state: "detached" });

    await keyRow(page, "dana-scratch-worker").waitFor();
    // Re-render the page a few times so nothing from the dialog's last render lingers.
    await page.getByLabel("Show revoked keys").check();
    await page.getByLabel("Show revoked keys").uncheck();
    await keyRow(page, "dana-scratch-worker").waitFor();

    expect(await page.content()).not.toContain(rawKey);
    const elsewhere = await page.evaluate(
      (secret) =>
        [
          document.body.textContent ?? "",
          ...Array.from(
            document.querySelectorAll("input, textarea"),
            (field) => (field as HTMLInputElement).value,
          ),
          JSON.stringify({ ...window.localStorage }),
          JSON.stringify({ ...window.sessionStorage }),
          document.title,
          window.location.href,
        ].some((text) => text.includes(secret)),
      rawKey,
    );
    expect(elsewhere).toBe(false);
    expect(await heapHolds(page, rawKey)).toBe(false);
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("Docs", () => {
  it("renders the help page and Copy for LLM puts its Markdown on the clipboard", async () => {
    const { page } = app;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Docs" }).click();
    await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor();
    for (const section of [
      "What a key is for",
      "Create a key",
      "Use the key with the CLI",
      "Key format and limits",
      "Naming keys",
      "Store the key",
      "Revoke a key",
      "Rotate a key",
      "Troubleshooting",
      "Asking an assistant for help",
    ]) {
      await page.getByRole("heading", { name: section, level: 2 }).waitFor();
    }
    await page.getByRole("button", { name: /Copy for LLM/ }).click();
    await waitForText(page.locator("main"), "Copied");
    const markdown = await app.readClipboard();
    expect(markdown.startsWith("# API keys\n")).toBe(true);
    expect(markdown).toContain("## Revoke a key\n");
    expect(markdown).toMatch(/\| Prefix +\| `cogno_wk_` +\|/);
    expect(markdown).toContain(`--server ${fixture.baseUrl}`);
    expect(markdown).not.toContain("{{origin}}");
    await saveScreenshot(page, "docs", { fullPage: true });
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("keyboard and small screens", () => {
  it("keeps focus inside a dialog and returns it to the opener", async () => {
    const { page } = app;
    await openSettings(page, "API Keys");
    const opener = page.getByRole("button", { name: "Create", exact: true });
    await opener.focus();
    await page.keyboard.press("Enter");
    const dialog = createDialog(page);
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("api-key-name");
    for (const key of [
      "Tab",
      "Tab",
      "Tab",
      "Tab",
      "Tab",
      "Shift+Tab",
      "Shift+Tab",
      "Shift+Tab",
      "Shift+Tab",
    ]) {
      await page.keyboard.press(key);
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest("dialog")))).toBe(true);
    }
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Create");
  });

  it("fits a 375 px screen without sideways scrolling", async () => {
    const small = await openAppPage(fixture.browser, fixture.baseUrl, { width: 375, height: 740 });
    await small.page.goto("/sign-in");
    await small.page.getByLabel("Email").waitFor();
    // Sign in with the first user's session by signing up a fresh one: simplest on a shared server.
    await signUp(small.page, newPerson("Eve"));
    await createFirstWorkspace(small.page, "Phone");
    await small.page.getByRole("button", { name: "Create", exact: true }).click();
    await createDialog(small.page).getByLabel("Name").fill("eve-phone-hotspot-worker");
    await createDialog(small.page).getByRole("button", { name: "Create", exact: true }).click();
    await rawKeyDialog(small.page).getByRole("button", { name: "Copy API key" }).click();
    await rawKeyDialog(small.page).getByRole("button", { name: "Done" }).click();
    await keyRow(small.page, "eve-phone-hotspot-worker").waitFor();
    for (const section of ["API Keys", "Workers", "Members"] as const) {
      await openSettings(small.page, section);
      await small.page.waitForTimeout(200);
      const overflow = await small.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, section).toBeLessThanOrEqual(0);
      await saveScreenshot(small.page, `mobile-${section.toLowerCase().replace(" ", "-")}`, {
        fullPage: true,
      });
    }
    expect(small.consoleErrors()).toEqual([]);
  });
});

describe("signing out and back in", () => {
  it("refuses a wrong password inline and returns to the page that was asked for", async () => {
    const { page } = app;
    await openSettings(page, "Workers");
    const workersPath = new URL(page.url()).pathname;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Cogno" }).waitFor();

    await page.goto(workersPath);
    await page.waitForURL(
      (url) => url.pathname === "/sign-in" && url.searchParams.get("next") === workersPath,
    );
    await page.getByLabel("Email").fill(dana.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(new URL(page.url()).pathname).toBe("/sign-in");

    await page.getByLabel("Password").fill(dana.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Workers", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(workersPath);
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("the production build", () => {
  it("regression: serves no source map, and the build holds none (each was a whole source file for anyone)", async () => {
    const dist = join(REPO_ROOT, "packages", "web", "dist");
    const files = readdirSync(dist, { recursive: true, encoding: "utf8" });
    expect(files.filter((file) => file.endsWith(".map"))).toEqual([]);

    const html = await (await fetch(fixture.baseUrl)).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    if (script === undefined) throw new Error("index.html names no script");
    const code = await (await fetch(new URL(script, fixture.baseUrl))).text();
    expect(code).not.toContain("sourceMappingURL");
    const map = await fetch(new URL(`${script}.map`, fixture.baseUrl));
    expect(await map.text()).not.toContain('"mappings"');
  });
});
