/**
 * Settings > Audit log (API.md v1.1): owners and admins read every change newest first, a page of
 * 50 at a time, filter by action and by actor, and export the same filters as JSON lines; members
 * get no such page.
 */
import {
  auditEntrySchema,
  createApiKeyResponseSchema,
  createInvitationResponseSchema,
} from "@cogno/protocol";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { openAppPage } from "./browser.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import { createFirstWorkspace, newPerson, signUp, waitForText, workspaceIdFromUrl } from "./flows.ts";

const fixture = useWebFixture();

/** A same-origin API call from inside the page, with its session; answers the parsed JSON body. */
async function call(page: Page, method: string, path: string, body?: unknown): Promise<unknown> {
  return page.evaluate(
    async ({ method: verb, path: url, body: payload }) => {
      const response = await fetch(url, {
        method: verb,
        headers: payload === undefined ? {} : { "content-type": "application/json" },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      if (!response.ok) throw new Error(`${verb} ${url}: ${response.status}`);
      return response.status === 204 ? null : response.json();
    },
    { method, path, body },
  );
}

function auditRows(page: Page) {
  return page.getByRole("table", { name: "Audit log" }).locator("tbody tr");
}

describe("Settings > Audit log", () => {
  it("pages, filters by action and actor, exports JSON lines, and is closed to members", async () => {
    const alice = await openAppPage(fixture.browser, fixture.baseUrl);
    await signUp(alice.page, newPerson("Alice"));
    await createFirstWorkspace(alice.page, "Audited");
    const workspaceId = workspaceIdFromUrl(alice.page);
    const base = `/api/v1/workspaces/${workspaceId}`;

    // Bob joins as a member and makes a key.
    const invitation = createInvitationResponseSchema.parse(
      await call(alice.page, "POST", `${base}/invitations`, { role: "member" }),
    );
    const bob = await openAppPage(fixture.browser, fixture.baseUrl);
    await signUp(bob.page, newPerson("Bob"));
    await bob.page.getByLabel("Workspace name").waitFor();
    await call(bob.page, "POST", `/api/v1/invitations/${invitation.token}/accept`);
    await call(bob.page, "POST", `${base}/api-keys`, { name: "bob-laptop" });

    // Alice: a key created, renamed and revoked, then 30 more created and revoked: more than a page.
    const created = createApiKeyResponseSchema.parse(
      await call(alice.page, "POST", `${base}/api-keys`, { name: "audit-key" }),
    );
    await call(alice.page, "PATCH", `${base}/api-keys/${created.apiKey.id}`, { name: "audit-key-renamed" });
    await call(alice.page, "DELETE", `${base}/api-keys/${created.apiKey.id}`);
    for (let i = 0; i < 30; i++) {
      const made = createApiKeyResponseSchema.parse(
        await call(alice.page, "POST", `${base}/api-keys`, { name: `batch-${i}` }),
      );
      await call(alice.page, "DELETE", `${base}/api-keys/${made.apiKey.id}`);
    }

    const { page } = alice;
    await page.reload();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor();
    await expect.poll(() => auditRows(page).count()).toBe(50);
    // Newest first: the last thing done is the first row.
    await waitForText(auditRows(page).first(), /Key revoked\s*Alice\s*api key batch-29/);
    await saveScreenshot(page, "audit-log");

    // The unfiltered export holds every entry, each one parsing as the contract's entry.
    const exported = async () => {
      const href = await page.getByRole("link", { name: "Export as JSON lines" }).getAttribute("href");
      if (href === null) throw new Error("no export link");
      return page.evaluate(async (url) => {
        const response = await fetch(url);
        return { type: response.headers.get("content-type"), text: await response.text() };
      }, href);
    };
    const all = await exported();
    expect(all.type).toMatch(/^application\/x-ndjson/);
    const allEntries = all.text
      .trim()
      .split("\n")
      .map((line) => auditEntrySchema.parse(JSON.parse(line)));
    expect(allEntries.length).toBeGreaterThan(60);

    // Paging: Older shows the rest, Newer comes back.
    expect(await page.getByRole("button", { name: "Newer entries" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Older entries" }).click();
    await waitForText(page.getByTestId("audit-page"), "Page 2");
    await expect.poll(() => auditRows(page).count()).toBe(allEntries.length - 50);
    expect(await page.getByRole("button", { name: "Older entries" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Newer entries" }).click();
    await waitForText(page.getByTestId("audit-page"), "Page 1");
    await expect.poll(() => auditRows(page).count()).toBe(50);

    // Filter by action.
    await page.getByLabel("Action").selectOption({ label: "Key renamed" });
    await expect.poll(() => auditRows(page).count()).toBe(1);
    await waitForText(auditRows(page).first(), "audit-key-renamed");
    expect(new URL(page.url()).searchParams.get("action")).toBe("api_key.renamed");

    // Filter by actor (with the action cleared): Bob joined and made a key, nothing else.
    await page.getByLabel("Action").selectOption({ label: "All actions" });
    const bobOption = page.getByLabel("Actor").locator("option", { hasText: /^Bob \(/ });
    await page.getByLabel("Actor").selectOption({ value: (await bobOption.getAttribute("value")) ?? "" });
    await expect.poll(() => auditRows(page).count()).toBe(2);
    expect(await auditRows(page).locator("th").allTextContents()).toEqual(["Key created", "Member joined"]);
    // The export follows the filters.
    const bobs = await exported();
    expect(
      bobs.text
        .trim()
        .split("\n")
        .map((line) => auditEntrySchema.parse(JSON.parse(line)).action),
    ).toEqual(["api_key.created", "member.joined"]);

    // Members see no audit log.
    expect(
      await bob.page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Audit log" })
        .count(),
    ).toBe(0);
    await bob.page.goto(`/w/${workspaceId}/settings/audit-log`);
    await waitForText(
      bob.page.locator("main"),
      "Only owners and admins of this workspace can read its audit log.",
    );
    expect(alice.consoleErrors()).toEqual([]);
    expect(bob.consoleErrors()).toEqual([]);
  });
});
