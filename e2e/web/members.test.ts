/**
 * Members page, v1.1 (issue 9 defect 6): pending invitation links listed with who made them and
 * when they expire, revoked from the list; a role changed from the list (the last owner kept); and
 * the invitation page says what one joins (workspace, inviter, role, expiry) before Accept, and that
 * a dead link is dead before anyone presses Accept.
 */
import { describe, expect, it } from "vitest";
import { type AppPage, openAppPage } from "./browser.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import { createFirstWorkspace, newPerson, openSettings, signUp, waitForText } from "./flows.ts";

const fixture = useWebFixture();

function invitationRows(app: AppPage) {
  return app.page.getByRole("table", { name: "Pending invitations" }).locator("tbody tr");
}

async function createLink(app: AppPage, role: "member" | "admin"): Promise<string> {
  const { page } = app;
  await page.getByLabel("Role", { exact: true }).selectOption({ value: role });
  const before = await invitationRows(app).count();
  await page.getByRole("button", { name: "Create invite link" }).click();
  await expect.poll(() => invitationRows(app).count()).toBe(before + 1);
  return page.getByLabel(/^Invitation link/).inputValue();
}

describe("members, invitations and roles", () => {
  it("lists pending links, previews and revokes them, and changes roles", async () => {
    // 409: the last owner cannot be lowered.
    const owner = await openAppPage(fixture.browser, fixture.baseUrl, { expectedStatuses: [401, 409] });
    const { page } = owner;
    await signUp(page, newPerson("Alice"));
    await createFirstWorkspace(page, "Acme robotics");
    await openSettings(page, "Members");
    await waitForText(page.locator(".panel"), "No invitation link is pending.");

    const memberLink = await createLink(owner, "member");
    const adminLink = await createLink(owner, "admin");
    await waitForText(invitationRows(owner).first(), "Alice");
    expect(await invitationRows(owner).allTextContents()).toEqual([
      expect.stringMatching(/^Admin\s*Alice.*in 7 days/),
      expect.stringMatching(/^Member\s*Alice.*in 7 days/),
    ]);
    await saveScreenshot(page, "members-invitations", { mask: [page.getByLabel(/^Invitation link/)] });

    // The invitee reads what the link joins before doing anything.
    const bob = await openAppPage(fixture.browser, fixture.baseUrl, { expectedStatuses: [401, 403] });
    await bob.page.goto(adminLink);
    const facts = bob.page.getByRole("definition");
    await bob.page.getByRole("heading", { name: "Join Acme robotics on Cogno" }).waitFor();
    expect(await facts.allTextContents()).toEqual([
      "Acme robotics",
      "Alice",
      "Admin: sees and revokes every key, manages members",
      expect.stringMatching(/^in 7 days \(.+\)$/),
    ]);
    await saveScreenshot(bob.page, "invitation-preview");
    await bob.page.getByRole("link", { name: "Create an account" }).click();
    const bobPerson = newPerson("Bob");
    await bob.page.getByLabel("Your name").fill(bobPerson.name);
    await bob.page.getByLabel("Email").fill(bobPerson.email);
    await bob.page.getByLabel("Password").fill(bobPerson.password);
    await bob.page.getByRole("button", { name: "Create account" }).click();
    await bob.page.getByRole("button", { name: "Accept invitation" }).click();
    await bob.page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();

    // Revoke the member link from the list; a link stays usable by several people until then.
    await page.reload();
    await expect.poll(() => invitationRows(owner).count()).toBe(2);
    await invitationRows(owner)
      .filter({ hasText: /^Member/ })
      .getByRole("button", { name: /^Revoke the member invitation by Alice/ })
      .click();
    const confirm = page.getByRole("alertdialog", { name: "Revoke this invitation link?" });
    await confirm.getByRole("button", { name: "Revoke link" }).click();
    await waitForText(page.getByRole("status"), "Invitation link revoked");
    expect(await invitationRows(owner).allTextContents()).toEqual([expect.stringMatching(/^Admin/)]);

    // The revoked link says it is dead at once, with no Accept to press.
    const carol = await openAppPage(fixture.browser, fixture.baseUrl, { expectedStatuses: [401, 404] });
    await carol.page.goto(memberLink);
    await carol.page.getByRole("heading", { name: "This invitation link is not valid" }).waitFor();
    await waitForText(carol.page.getByRole("alert"), "it has expired or was revoked");
    expect(await carol.page.getByRole("button", { name: "Accept invitation" }).count()).toBe(0);
    expect(await carol.page.getByRole("link", { name: "Create an account" }).count()).toBe(0);
    await saveScreenshot(carol.page, "invitation-dead-link");

    // Role change: Bob from admin to member, from the list, and it holds after a reload.
    await page.reload();
    const bobRole = page.getByLabel("Role of Bob");
    await expect.poll(() => bobRole.inputValue()).toBe("admin");
    await bobRole.selectOption("member");
    await waitForText(page.getByRole("status"), "Bob is now member.");
    await page.reload();
    await expect.poll(() => page.getByLabel("Role of Bob").inputValue()).toBe("member");
    // Bob, now a member, sees no invitation list and no role controls: his page still thought him an
    // admin, asked for the links (403), re-read his role and redrew itself as a member's.
    await openSettings(bob.page, "Members");
    await bob.page.getByRole("heading", { name: "Invite by link" }).waitFor({ state: "detached" });
    await waitForText(bob.page.getByRole("table", { name: "Members" }), "Alice");
    expect(await bob.page.getByRole("table", { name: "Pending invitations" }).count()).toBe(0);
    expect(await bob.page.getByLabel("Role of Alice").count()).toBe(0);

    // The last owner cannot lower themself: the page says why and keeps the role shown.
    await page.getByLabel("Role of Alice").selectOption("admin");
    await waitForText(page.getByRole("alert"), "Make someone else an owner first.");
    expect(await page.getByLabel("Role of Alice").inputValue()).toBe("owner");

    for (const app of [owner, bob, carol]) expect(app.consoleErrors()).toEqual([]);
  });
});
