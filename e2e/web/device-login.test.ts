/**
 * `/device`, the approval page of `cogno login` without --token (RFC 8628; API.md v1.1): the real
 * `cogno` binary at a real terminal (a pseudo-terminal made by util-linux `script`) prints the page
 * and the code; a person opens it in the real browser, signed out, signs in, comes back, checks the
 * code and approves; the CLI is then logged in with a key the server accepts. Deny and a dead code
 * too.
 */
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "../cli/cli-process.ts";
import { createMachine, type Machine } from "../support/machine.ts";
import { CLI_BIN } from "../support/paths.ts";
import { openAppPage } from "./browser.ts";
import { saveScreenshot, useWebFixture } from "./fixture.ts";
import { createFirstWorkspace, keyRow, newPerson, signUp, waitForText } from "./flows.ts";

const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;
const fixture = useWebFixture();
const running: CliProcess[] = [];

afterAll(() => {
  for (const cli of running) if (cli.child.exitCode === null) cli.child.kill("SIGTERM");
});

/** `cogno login --server <url>` with a pseudo-terminal as its standard input and output. */
function loginAtTerminal(machine: Machine): CliProcess {
  const command = [process.execPath, CLI_BIN, "login", "--server", fixture.baseUrl]
    .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
    .join(" ");
  const cli = startCli(machine, [], {
    keepStdinOpen: true,
    command: ["script", "-qefc", `exec ${command}`, "/dev/null"],
  });
  running.push(cli);
  return cli;
}

async function printedLogin(cli: CliProcess): Promise<{ url: string; userCode: string }> {
  const [, url] = await cli.waitForOutput(/^\s+(http\S+\/device\?code=\S+)\s*$/m);
  const [, userCode] = await cli.waitForOutput(/It shows the code ([A-Z]{4}-[A-Z]{4})/);
  if (url === undefined || userCode === undefined) throw new Error(`no login printed:\n${cli.output()}`);
  return { url, userCode };
}

describe.skipIf(!HAS_SCRIPT)("the /device page with the real cogno login", () => {
  it("signed out: sign in, come back, check the code, approve; the CLI is logged in with the machine's key", async () => {
    const { page, consoleErrors } = await openAppPage(fixture.browser, fixture.baseUrl);
    const dana = newPerson("Dana");
    await signUp(page, dana);
    const workspaceId = await createFirstWorkspace(page, "Devices");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to Cogno" }).waitFor();

    const machine = await createMachine();
    const cli = loginAtTerminal(machine);
    const { url, userCode } = await printedLogin(cli);
    expect(new URL(url).origin).toBe(fixture.baseUrl);

    await page.goto(url);
    await page.getByRole("heading", { name: "Sign in to Cogno" }).waitFor();
    await page.getByLabel("Email").fill(dana.email);
    await page.getByLabel("Password").fill(dana.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    // Back on the approval page, with the code the terminal shows and the machine's name.
    const machineName = hostname();
    await page.getByRole("heading", { name: `Log in ${machineName}?` }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/device");
    expect(await page.getByTestId("user-code").textContent()).toBe(userCode);
    expect(await page.getByLabel("Add the key to workspace").locator("option:checked").textContent()).toBe(
      "Devices",
    );
    await saveScreenshot(page, "device-approve");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("heading", { name: "Device logged in" }).waitFor();

    const { code } = await cli.exited;
    expect(code, cli.output()).toBe(0);
    expect(cli.output()).toContain(`Logged in to workspace "Devices" (${workspaceId})`);
    const status = await runCli(machine, ["status", "--json"]);
    expect(status.code, status.output).toBe(0);
    expect(JSON.parse(status.output)).toMatchObject({ accepted: true });

    // The key is the approver's, named after the machine.
    await page.getByRole("main").getByRole("link", { name: "API keys" }).click();
    await keyRow(page, machineName).waitFor();
    expect(consoleErrors()).toEqual([]);
  });

  it("a new person signs up from the link, makes a first workspace and comes back to approve", async () => {
    const { page, consoleErrors } = await openAppPage(fixture.browser, fixture.baseUrl);
    const machine = await createMachine();
    const cli = loginAtTerminal(machine);
    const { url, userCode } = await printedLogin(cli);

    await page.goto(url);
    await page.getByRole("heading", { name: "Sign in to Cogno" }).waitFor();
    await page.getByRole("link", { name: "Create an account" }).click();
    const gil = newPerson("Gil");
    await page.getByLabel("Your name").fill(gil.name);
    await page.getByLabel("Email").fill(gil.email);
    await page.getByLabel("Password").fill(gil.password);
    await page.getByRole("button", { name: "Create account" }).click();

    // Back on the approval page, which says a key needs a workspace and leads to making one.
    await waitForText(page.locator(".callout"), "You are in no workspace yet");
    expect(await page.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    await page.getByRole("link", { name: "Create a workspace" }).click();
    await page.getByLabel("Workspace name").fill("Gil's machines");
    await page.getByRole("button", { name: "Create workspace" }).click();

    await page.getByRole("heading", { name: `Log in ${hostname()}?` }).waitFor();
    expect(await page.getByTestId("user-code").textContent()).toBe(userCode);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("heading", { name: "Device logged in" }).waitFor();
    const { code } = await cli.exited;
    expect(code, cli.output()).toBe(0);
    expect(cli.output()).toContain(`Logged in to workspace "Gil's machines"`);
    expect(consoleErrors()).toEqual([]);
  });

  it("a typed code (any case, no dash) can be denied, and the CLI stops with nothing stored", async () => {
    const { page, consoleErrors } = await openAppPage(fixture.browser, fixture.baseUrl);
    await signUp(page, newPerson("Evan"));
    await createFirstWorkspace(page, "Evan's");

    const machine = await createMachine();
    const cli = loginAtTerminal(machine);
    const { userCode } = await printedLogin(cli);

    await page.goto("/device");
    await page.getByRole("heading", { name: "Log in a device" }).waitFor();
    await page.getByLabel("Code").fill(userCode.replace("-", "").toLowerCase());
    await page.getByRole("button", { name: "Continue" }).click();
    expect(await page.getByTestId("user-code").textContent()).toBe(userCode);
    await page.getByRole("button", { name: "Deny" }).click();
    await page.getByRole("heading", { name: "Login denied" }).waitFor();

    const { code } = await cli.exited;
    expect(code).toBe(1);
    expect(cli.output()).toContain("The login was denied in the web app.");
    const status = await runCli(machine, ["status", "--json"]);
    expect(status.code).not.toBe(0);
    expect(consoleErrors()).toEqual([]);
  });

  it("says a code that was never issued (or is used up) is not valid", async () => {
    const { page, consoleErrors } = await openAppPage(fixture.browser, fixture.baseUrl, {
      expectedStatuses: [401, 404],
    });
    await signUp(page, newPerson("Fay"));
    await createFirstWorkspace(page, "Fay's");
    await page.goto("/device?code=BCDF-GHJK");
    await waitForText(page.getByRole("alert"), "This code is not valid");
    await page.getByLabel("Code").fill("BCD");
    await page.getByRole("button", { name: "Continue" }).click();
    await waitForText(page.getByRole("alert"), "Enter the 8 letters");
    expect(consoleErrors()).toEqual([]);
  });
});
