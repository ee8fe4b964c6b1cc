/**
 * The help page's "Revoke a key" (four steps) and "Rotate a key" (five steps), through the pages
 * and the real `cogno` binary. Revocation must reach the worker at once and show live.
 */
import { hostname } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { type AppPage, openAppPage } from "./browser.ts";
import { createMachine, type Machine } from "./cli.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import {
  createFirstWorkspace,
  createKey,
  documentIsMarked,
  keyRow,
  markDocument,
  newPerson,
  openSettings,
  signUp,
  waitForText,
  workerRows,
} from "./flows.ts";

const KEY_REFUSED = 3;

const fixture = useWebFixture();
const machines: Machine[] = [];

afterAll(async () => {
  for (const machine of machines) machine.remove();
});

async function signedInOwner(workspaceName: string): Promise<AppPage> {
  const app = await openAppPage(fixture.browser, fixture.baseUrl);
  await signUp(app.page, newPerson("Owner"));
  await createFirstWorkspace(app.page, workspaceName);
  return app;
}

function newMachine(): Machine {
  const machine = createMachine();
  machines.push(machine);
  return machine;
}

describe("Revoke a key", () => {
  it("lists the connected worker, stops its daemon and turns its row revoked live", async () => {
    const app = await signedInOwner("Revoke workspace");
    const { page } = app;
    const rawKey = await createKey(page, "buildkite-prod-worker", app.readClipboard);
    const machine = newMachine();
    expect((await machine.run(["login", "--token", rawKey, "--server", fixture.baseUrl])).code).toBe(0);
    const daemon = machine.startDaemon();

    // A second tab on Settings > Workers watches the revocation arrive without a reload.
    const watcher = await app.context.newPage();
    await watcher.goto(page.url().replace("api-keys", "workers"));
    const watchedRow = workerRows(watcher).filter({ hasText: "buildkite-prod-worker" });
    await waitForText(watchedRow, "Online", 20_000);
    await markDocument(watcher);

    // 1. Open Settings > API Keys.
    await openSettings(page, "API Keys");
    // 2. Find the key by name or prefix.
    const row = keyRow(page, "buildkite-prod-worker");
    await waitForText(row, rawKey.slice(0, 17));
    // 3. Select the revoke icon.
    await row.getByRole("button", { name: "Revoke buildkite-prod-worker" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Revoke “buildkite-prod-worker”?" });
    await waitForText(confirm, "1 worker used this key in the last 30 days and will lose access");
    await waitForText(
      confirm.getByRole("list", { name: "Workers that will lose access" }),
      new RegExp(`^${hostname()}\\s*Online`),
    );
    await waitForText(confirm, "immediate and irreversible");
    await saveScreenshot(page, "revoke-dialog");
    // 4. Confirm Revoke.
    await confirm.getByRole("button", { name: "Revoke", exact: true }).click();
    await waitForText(page.getByRole("status"), "1 worker was disconnected.");
    expect(await row.count()).toBe(0);

    const exit = await daemon.exited;
    expect(exit.code, exit.stdout + exit.stderr).toBe(KEY_REFUSED);
    expect(exit.stdout + exit.stderr).toContain(rawKey.slice(0, 17));
    expect(exit.stdout + exit.stderr).not.toContain(rawKey);

    await waitForText(watchedRow, "Revoked");
    expect(await documentIsMarked(watcher)).toBe(true);
    await saveScreenshot(watcher, "workers-revoked");

    // Revoked keys stay out of the list until asked for.
    await page.getByLabel("Show revoked keys").check();
    await waitForText(keyRow(page, "buildkite-prod-worker"), "Revoked");
    expect(new URL(page.url()).searchParams.get("state")).toBe("all");
    expect(app.consoleErrors()).toEqual([]);
  });
});

describe("Rotate a key", () => {
  it("moves a running worker to a new key without a gap or a twin row", async () => {
    const app = await signedInOwner("Rotate workspace");
    const { page } = app;
    const machine = newMachine();
    const oldKey = await createKey(page, "ci-runner-2026-05", app.readClipboard);
    expect((await machine.run(["login", "--token", oldKey, "--server", fixture.baseUrl])).code).toBe(0);
    let daemon = machine.startDaemon();
    await openSettings(page, "Workers");
    await waitForText(workerRows(page).filter({ hasText: "ci-runner-2026-05" }), "Online", 20_000);

    // 1. Create a new key.
    await openSettings(page, "API Keys");
    // 2. Copy and install the new key on the worker machine.
    const newKey = await createKey(page, "ci-runner-2026-06", app.readClipboard);
    expect(newKey).not.toBe(oldKey);
    const login = await machine.run(["login", "--token", "-", "--server", fixture.baseUrl], `${newKey}\n`);
    expect(login.code, login.stdout + login.stderr).toBe(0);
    // Two keys are active side by side until the old one is revoked.
    await waitForText(page.getByTestId("key-counter"), "2 of 25 active keys");
    // 3. Restart the worker.
    expect((await daemon.stop()).code).toBe(0);
    daemon = machine.startDaemon();
    // 4. Confirm the worker appears in Settings > Workers, now with the new key, in one row.
    await openSettings(page, "Workers");
    const rows = workerRows(page);
    await waitForText(rows.filter({ hasText: "ci-runner-2026-06" }), "Online", 20_000);
    expect(await rows.count()).toBe(1);
    // 5. Revoke the old key: no worker uses it any more.
    await openSettings(page, "API Keys");
    await keyRow(page, "ci-runner-2026-05").getByRole("button", { name: "Revoke ci-runner-2026-05" }).click();
    const confirm = page.getByRole("alertdialog");
    // The machine moved to the new key, so the old one's last 30 days hold no worker any more.
    await waitForText(confirm, "No worker used this key in the last 30 days.");
    await confirm.getByRole("button", { name: "Revoke", exact: true }).click();
    await waitForText(page.getByRole("status"), "No workers were connected with it.");

    // The worker keeps running on the new key.
    await openSettings(page, "Workers");
    await waitForText(workerRows(page).filter({ hasText: "ci-runner-2026-06" }), "Online");
    expect(daemon.process.exitCode).toBeNull();
    expect((await daemon.stop()).code).toBe(0);
    await waitForText(workerRows(page), "Stopped");
    expect(app.consoleErrors()).toEqual([]);
  });
});
