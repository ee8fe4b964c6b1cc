/**
 * Settings > Workers, v1.1: Stop one worker of two that share a key (confirm dialog; its real
 * daemon prints who stopped it and exits 0, the other keeps working), then Forget the stopped one.
 */
import { afterAll, describe, expect, it } from "vitest";
import { openAppPage } from "./browser.ts";
import { createMachine, type Daemon, type Machine } from "./cli.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import {
  createFirstWorkspace,
  createKey,
  newPerson,
  openSettings,
  signUp,
  waitForText,
  workerRows,
} from "./flows.ts";

const fixture = useWebFixture();
const machines: Machine[] = [];
const daemons: Daemon[] = [];

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop();
  for (const machine of machines) machine.remove();
});

async function startWorker(rawKey: string, name: string): Promise<Daemon> {
  const machine = createMachine();
  machines.push(machine);
  expect((await machine.run(["login", "--token", rawKey, "--server", fixture.baseUrl])).code).toBe(0);
  const daemon = machine.startDaemon(["run", "--name", name]);
  daemons.push(daemon);
  return daemon;
}

describe("Stop and Forget a worker", () => {
  it("stops one daemon of two sharing a key, without revoking the key, then forgets it", async () => {
    const { page, readClipboard, consoleErrors } = await openAppPage(fixture.browser, fixture.baseUrl);
    await signUp(page, newPerson("Olga"));
    await createFirstWorkspace(page, "Fleet");
    const rawKey = await createKey(page, "shared-fleet-key", readClipboard);
    const first = await startWorker(rawKey, "laptop-a");
    const second = await startWorker(rawKey, "laptop-b");

    await openSettings(page, "Workers");
    const row = (name: string) =>
      workerRows(page).filter({ has: page.getByRole("rowheader", { name, exact: true }) });
    await waitForText(row("laptop-a"), "Online", 20_000);
    await waitForText(row("laptop-b"), "Online", 20_000);
    // Forget is offered only for workers that are gone.
    expect(
      await row("laptop-a")
        .getByRole("button", { name: /^Forget/ })
        .count(),
    ).toBe(0);

    await row("laptop-a")
      .getByRole("button", { name: /^Stop laptop-a/ })
      .click();
    const confirm = page.getByRole("alertdialog", { name: "Stop laptop-a?" });
    await waitForText(confirm, "disconnects and exits");
    await waitForText(confirm, "stays valid: other machines using it keep working");
    await saveScreenshot(page, "stop-worker-dialog");
    await confirm.getByRole("button", { name: "Stop worker" }).click();
    await waitForText(page.getByRole("status"), "Stopped laptop-a: its daemon exited.");
    await waitForText(row("laptop-a"), "Stopped");

    const exit = await first.exited;
    expect(exit.code, exit.stdout + exit.stderr).toBe(0);
    expect(exit.stdout + exit.stderr).toContain("stopped from the web app by Olga");
    // The other machine on the same key is untouched.
    expect(second.process.exitCode).toBeNull();
    await page.reload();
    await waitForText(row("laptop-b"), "Online");
    await waitForText(row("laptop-a"), "Stopped");
    await saveScreenshot(page, "workers-stop-forget");

    await row("laptop-a")
      .getByRole("button", { name: /^Forget laptop-a/ })
      .click();
    const forget = page.getByRole("alertdialog", { name: "Forget laptop-a?" });
    await waitForText(forget, "leaves this list");
    await forget.getByRole("button", { name: "Forget worker" }).click();
    await waitForText(page.getByRole("status"), "Forgot laptop-a.");
    expect(await row("laptop-a").count()).toBe(0);
    await page.reload();
    await waitForText(row("laptop-b"), "Online");
    expect(await row("laptop-a").count()).toBe(0);
    expect(second.process.exitCode).toBeNull();
    expect(consoleErrors()).toEqual([]);
  });
});
