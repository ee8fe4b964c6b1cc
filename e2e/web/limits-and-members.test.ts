/**
 * The 25-key limit as a person meets it, who sees which keys (a member only their own, an admin
 * all), and the members page: invitation by link, accepting it, and removing a member.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type AppPage, openAppPage } from "./browser.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import {
  createDialog,
  createFirstWorkspace,
  createKey,
  createKeysThroughApi,
  keyRow,
  newPerson,
  openSettings,
  signUp,
  waitForText,
  workspaceIdFromUrl,
} from "./flows.ts";

const fixture = useWebFixture();
let owner: AppPage;
let workspaceId: string;

beforeAll(async () => {
  // 409 is the expected answer to the 26th key.
  owner = await openAppPage(fixture.browser, fixture.baseUrl, { expectedStatuses: [401, 409] });
  await signUp(owner.page, newPerson("Alice"));
  await createFirstWorkspace(owner.page, "Limits and members");
  workspaceId = workspaceIdFromUrl(owner.page);
});

/** The owner creates an invitation link on the Members page, as the UI shows it. */
async function inviteLink(role: "Member" | "Admin"): Promise<string> {
  const { page } = owner;
  await openSettings(page, "Members");
  await page.getByLabel("Role", { exact: true }).selectOption({ value: role.toLowerCase() });
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = page.getByLabel(`Invitation link (${role})`);
  await link.waitFor();
  await waitForText(page.locator(".invite-result"), /until it expires, in \d+ days?/);
  await page.getByRole("button", { name: "Copy invitation link" }).click();
  const copied = await owner.readClipboard();
  expect(copied).toBe(await link.inputValue());
  return copied;
}

/** A new person opens the link signed out, creates an account from it and accepts. */
async function joinThroughLink(link: string, name: string, screenshot?: string): Promise<AppPage> {
  const app = await openAppPage(fixture.browser, fixture.baseUrl);
  const { page } = app;
  await page.goto(link);
  await waitForText(page.locator("main"), "Sign in or create an account to accept.");
  if (screenshot) await saveScreenshot(page, screenshot);
  await page.getByRole("link", { name: "Create an account" }).click();
  const person = newPerson(name);
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();
  expect(workspaceIdFromUrl(page)).toBe(workspaceId);
  return app;
}

describe("visibility by role", () => {
  let member: AppPage;
  let admin: AppPage;

  it("shows a member only their own keys, and an admin every key with its owner", async () => {
    await createKey(owner.page, "alice-macbook-worker", owner.readClipboard);

    member = await joinThroughLink(await inviteLink("Member"), "Bob", "invitation");
    await createKey(member.page, "bob-laptop-worker", member.readClipboard);
    await keyRow(member.page, "bob-laptop-worker").waitFor();
    expect(await keyRow(member.page, "alice-macbook-worker").count()).toBe(0);
    expect(await member.page.getByRole("columnheader", { name: "Owner" }).count()).toBe(0);
    // The member's view holds no trace of anyone else's key.
    expect(await member.page.locator("main").textContent()).not.toContain("alice-macbook-worker");

    admin = await joinThroughLink(await inviteLink("Admin"), "Carol");
    await waitForText(keyRow(admin.page, "alice-macbook-worker"), "Alice");
    await waitForText(keyRow(admin.page, "bob-laptop-worker"), "Bob");
    await admin.page.getByRole("columnheader", { name: "Owner" }).waitFor();

    // A key created elsewhere shows up live for the admin, never for the member.
    await openSettings(owner.page, "API Keys");
    await createKey(owner.page, "alice-ci-worker", owner.readClipboard);
    await keyRow(admin.page, "alice-ci-worker").waitFor();
    expect(await keyRow(member.page, "alice-ci-worker").count()).toBe(0);

    expect(member.consoleErrors()).toEqual([]);
    expect(admin.consoleErrors()).toEqual([]);
  });

  it("removes a member after a warning that names the keys it revokes", async () => {
    const { page } = owner;
    await openSettings(page, "Members");
    await waitForText(page.getByRole("table", { name: "Members" }), "Carol");
    await saveScreenshot(page, "members");
    await page.getByRole("button", { name: "Remove Bob" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Remove Bob?" });
    await waitForText(confirm, "Their API keys in this workspace are revoked at once");
    await waitForText(confirm, "1 active key will be revoked: bob-laptop-worker.");
    await saveScreenshot(page, "remove-member-dialog");
    await confirm.getByRole("button", { name: "Remove member" }).click();
    await waitForText(page.getByRole("status"), "Removed Bob.");
    expect(await page.getByRole("table", { name: "Members" }).textContent()).not.toContain("Bob");

    await openSettings(page, "API Keys");
    await keyRow(page, "alice-macbook-worker").waitFor();
    expect(await keyRow(page, "bob-laptop-worker").count()).toBe(0);
    await page.getByLabel("Show revoked keys").check();
    await waitForText(keyRow(page, "bob-laptop-worker"), "Revoked");
    await page.getByLabel("Show revoked keys").uncheck();
    expect(owner.consoleErrors()).toEqual([]);
  });
});

describe("the 25-key limit", () => {
  it("regression: at 25 of 25, Create is disabled with the reason before anyone types (it failed after typing)", async () => {
    const { page } = owner;
    await openSettings(page, "API Keys");
    await waitForText(page.getByTestId("key-counter"), "2 of 25 active keys");
    const names = Array.from({ length: 23 }, (_, index) => `alice-batch-worker-${index + 1}`);
    expect(new Set(await createKeysThroughApi(page, workspaceId, names.slice(0, 22)))).toEqual(
      new Set([201]),
    );
    // The page learned of those keys live.
    await waitForText(page.getByTestId("key-counter"), "24 of 25 active keys");
    // A dialog already open when the 25th key arrives (from another tab) says so and disables its Create.
    await page.getByRole("button", { name: "Create", exact: true }).click();
    const dialog = createDialog(page);
    await dialog.getByLabel("Name").fill("alice-one-too-many");
    expect(await createKeysThroughApi(page, workspaceId, names.slice(22))).toEqual([201]);
    await waitForText(dialog.getByRole("alert"), "You have 25 of 25 active keys");
    expect(await dialog.getByRole("button", { name: "Create", exact: true }).isDisabled()).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await waitForText(page.getByTestId("key-counter"), "25 of 25 active keys");
    await waitForText(page.getByTestId("key-counter"), "Revoke a key you no longer use");

    // Create says so before anyone types a name: disabled, and described by the count and the remedy.
    const create = page.getByRole("button", { name: "Create", exact: true });
    expect(await create.isDisabled()).toBe(true);
    const describedBy = await create.getAttribute("aria-describedby");
    expect(describedBy).not.toBeNull();
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(
      /25 of 25 active keys.*revoke a key you no longer use/,
    );
    await saveScreenshot(page, "key-limit-error");

    // Revoking one frees the slot.
    await keyRow(page, "alice-batch-worker-1")
      .getByRole("button", { name: /^Revoke alice-batch-worker-1 \(cogno_wk_/ })
      .click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Revoke", exact: true }).click();
    await waitForText(page.getByTestId("key-counter"), "24 of 25 active keys");
    expect(await create.isDisabled()).toBe(false);
    await createKey(page, "alice-one-too-many", owner.readClipboard);
    await waitForText(page.getByTestId("key-counter"), "25 of 25 active keys");
    expect(owner.consoleErrors()).toEqual([]);
  });
});
