/**
 * The help page's "Create a key", all seven steps in the browser, then "Use the key with the CLI":
 * the real `cogno` logs in with the copied key and runs, and the worker appears on
 * Settings > Workers without a reload.
 */
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAppPage } from "./browser.ts";
import { createMachine, type Daemon, type Machine } from "./cli.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import {
  createDialog,
  createFirstWorkspace,
  documentIsMarked,
  keyRow,
  markDocument,
  newPerson,
  openSettings,
  rawKeyDialog,
  signUp,
  waitForText,
  workerRows,
} from "./flows.ts";

const fixture = useWebFixture();
let machine: Machine;
let daemon: Daemon | undefined;

beforeAll(async () => {
  machine = createMachine();
});

afterAll(async () => {
  await daemon?.stop();
  machine?.remove();
});

describe("Create a key, then use it with the CLI", () => {
  it("takes a new user from sign-up to a worker listed live on Settings > Workers", async () => {
    const { page, readClipboard, consoleErrors } = await openAppPage(fixture.browser, fixture.baseUrl);
    const alice = newPerson("Alice");

    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in to Cogno" }).waitFor();
    await saveScreenshot(page, "sign-in");
    await signUp(page, alice);
    await page.getByLabel("Workspace name").waitFor();
    await saveScreenshot(page, "first-run");
    await createFirstWorkspace(page, "Acme");
    // A second workspace, so that step 2 (select the workspace) is a real choice.
    await page.getByLabel("Workspace").selectOption({ label: "+ New workspace…" });
    await page.getByLabel("Workspace name").fill("Side project");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();

    // 1. Open the Cogno app.
    await page.goto("/");
    // 2. Select the workspace.
    await page.getByLabel("Workspace").selectOption({ label: "Acme" });
    await expect.poll(() => page.getByLabel("Workspace").inputValue()).not.toBe("");
    expect(await page.getByLabel("Workspace").locator("option:checked").textContent()).toBe("Acme");
    // 3. Open Settings > API Keys.
    await openSettings(page, "API Keys");
    await waitForText(page.getByTestId("key-counter"), "0 of 25 active keys");
    // 4. Select Create.
    await page.getByRole("button", { name: "Create", exact: true }).click();
    const create = createDialog(page);
    await create.waitFor();
    // The name field carries the naming advice and warns, without blocking, on a generic name.
    await create.getByLabel("Name").fill("worker");
    await waitForText(create, "does not say who or what uses the key");
    await saveScreenshot(page, "create-key-dialog");
    // 5. Enter a name.
    await create.getByLabel("Name").fill("MacBook worker");
    expect(await create.getByText("does not say who or what uses the key").count()).toBe(0);
    // 6. Select Create.
    await create.getByRole("button", { name: "Create", exact: true }).click();
    const reveal = rawKeyDialog(page);
    await reveal.waitFor();
    const shown = await reveal.getByRole("textbox", { name: "API key" }).inputValue();
    expect(shown).toMatch(/^cogno_wk_[0-9A-Za-z]{46}$/);
    await waitForText(reveal, "This key will not be shown again.");
    await saveScreenshot(page, "raw-key-dialog", {
      mask: [reveal.getByRole("textbox", { name: "API key" })],
    });
    // 7. Copy the raw key immediately.
    await reveal.getByRole("button", { name: "Copy API key" }).click();
    expect(await readClipboard()).toBe(shown);
    await reveal.getByRole("button", { name: "Done" }).click();
    await reveal.waitFor({ state: "detached" });

    // After the dialog, only metadata and the prefix remain.
    expect(await page.content()).not.toContain(shown);
    const row = keyRow(page, "MacBook worker");
    await waitForText(row, shown.slice(0, 17));
    await waitForText(row, "never");
    await waitForText(page.getByTestId("key-counter"), "1 of 25 active keys");
    await saveScreenshot(page, "api-keys");

    // Settings > Workers, open before the worker starts: what follows must arrive live.
    await openSettings(page, "Workers");
    await waitForText(page.locator("main"), "No workers yet");
    await waitForText(page.locator("main"), `cogno login --token - --server ${fixture.baseUrl}`);
    await saveScreenshot(page, "workers-empty");
    await markDocument(page);

    const login = await machine.run(["login", "--token", shown, "--server", fixture.baseUrl]);
    expect(login.code, login.stdout + login.stderr).toBe(0);
    expect(login.stdout + login.stderr).not.toContain(shown);
    daemon = machine.startDaemon();

    const workerRow = workerRows(page).filter({ hasText: hostname() });
    await workerRow.first().waitFor({ timeout: 20_000 });
    await waitForText(workerRow, "Online");
    await waitForText(workerRow, "MacBook worker");
    expect(await documentIsMarked(page)).toBe(true);
    await saveScreenshot(page, "workers");

    // A worker that dies without a word turns offline, still without a reload.
    daemon.process.kill("SIGKILL");
    await waitForText(workerRow, "Offline", 30_000);
    expect(await documentIsMarked(page)).toBe(true);

    // The key now reports when it was last used, relative, with the exact time on hover.
    await openSettings(page, "API Keys");
    const lastUsed = keyRow(page, "MacBook worker").locator('[data-label="Last used"]');
    await expect.poll(() => lastUsed.textContent(), { timeout: 10_000 }).not.toBe("never");
    expect(await lastUsed.locator("time").getAttribute("title")).toMatch(/\d{1,2}:\d{2}:\d{2}/);

    expect(consoleErrors()).toEqual([]);
  });
});
