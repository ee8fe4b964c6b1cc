/**
 * The web app parses every answer with the contract's schemas (issue 11): an answer the page cannot
 * read is said so in words, where a cast used to hand `undefined` fields to the page and crash it.
 * The off-contract answer stands for a server of another version: the browser's own request is
 * answered by the test with a key that lacks its owner, everything else is the real server.
 */
import { describe, expect, it } from "vitest";
import { openAppPage } from "./browser.ts";
import { useWebFixture } from "./fixture.ts";
import { createFirstWorkspace, keyRow, newPerson, signUp, waitForText } from "./flows.ts";

const fixture = useWebFixture();

describe("answers off contract", () => {
  it("a key list without owners is refused with a sentence, and the real answer shows again after", async () => {
    const { page, consoleErrors } = await openAppPage(fixture.browser, fixture.baseUrl);
    await signUp(page, newPerson("Casey"));
    const workspaceId = await createFirstWorkspace(page, "Contract");
    await page.evaluate(async (id) => {
      await fetch(`/api/v1/workspaces/${id}/api-keys`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "build box" }),
      });
    }, workspaceId);
    await page.reload();
    await keyRow(page, "build box").waitFor();

    const listPath = `/api/v1/workspaces/${workspaceId}/api-keys`;
    const isList = (url: URL) => url.pathname === listPath;
    await page.route(isList, async (route) => {
      const real = await route.fetch();
      const body: unknown = await real.json();
      // The real list, with each key's owner removed: what a cast would have let through.
      const stripped = JSON.parse(JSON.stringify(body), (key, value) =>
        key === "owner" ? undefined : value,
      );
      await route.fulfill({ response: real, json: stripped });
    });
    await page.reload();
    await waitForText(page.locator(".notice"), "The server sent an answer this page cannot read");
    expect(await keyRow(page, "build box").count()).toBe(0);

    // The page reads the list twice as it opens (again when its event stream opens): the second
    // read may still be in the handler, which must finish before the page reloads.
    await page.unrouteAll({ behavior: "wait" });
    await page.reload();
    await keyRow(page, "build box").waitFor();
    expect(consoleErrors()).toEqual([]);
  });
});
