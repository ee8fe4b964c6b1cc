/**
 * Honest live status on Settings > Workers: a worker whose machine froze turns offline by the
 * page's clock 3 heartbeat intervals after its last heartbeat (the server's rule, with the server's
 * interval), and a page that lost the server says so, then catches up when it is back.
 */
import { serverInfoResponseSchema, workersResponseSchema } from "@cogno/protocol";
import type { Locator, Page, Request } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { startServer } from "../support/server.ts";
import { createTestStore } from "../support/store.ts";
import { type AppPage, openAppPage } from "./browser.ts";
import { createMachine, type Daemon, type Machine } from "./cli.ts";
import { useWebFixture } from "./fixture.ts";
import {
  createFirstWorkspace,
  createKey,
  newPerson,
  openSettings,
  signUp,
  waitForText,
  workerRows,
  workspaceIdFromUrl,
} from "./flows.ts";

/** Each test starts, kills or restarts real processes: on a busy machine that takes a while. */
const SLOW_TEST_MS = 120_000;
/** Not the default 15 s: the page must take the interval from the server. */
const HEARTBEAT_INTERVAL_MS = 20_000;
/** The page's event stream, as the tests route it. */
const EVENT_STREAM = "**/api/v1/workspaces/*/events";

const fixture = useWebFixture({ COGNO_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS) });
const machines: Machine[] = [];
const daemons: Daemon[] = [];

afterAll(async () => {
  for (const daemon of daemons) {
    daemon.process.kill("SIGKILL");
    await daemon.exited;
  }
  for (const machine of machines) machine.remove();
});

function newMachine(): Machine {
  const machine = createMachine();
  machines.push(machine);
  return machine;
}

/**
 * A person who signed up, made a workspace and a key in the browser, and a machine logged in with
 * that key (its daemon not started).
 */
async function ownerWithLoggedInMachine(person: string, workspace: string, keyName: string) {
  const app = await openAppPage(fixture.browser, fixture.baseUrl);
  await signUp(app.page, newPerson(person));
  await createFirstWorkspace(app.page, workspace);
  const rawKey = await createKey(app.page, keyName, app.readClipboard);
  const machine = newMachine();
  expect((await machine.run(["login", "--token", rawKey, "--server", fixture.baseUrl])).code).toBe(0);
  return { app, page: app.page, machine };
}

/** The workers list as the server answers it now, read from inside the page (same session), parsed with the contract. */
async function serverView(app: AppPage, workspaceId: string) {
  const [workers, server] = await app.page.evaluate(
    async (id) =>
      Promise.all([
        fetch(`/api/v1/workspaces/${encodeURIComponent(id)}/workers`).then((response) => response.json()),
        fetch("/api/v1/server").then((response) => response.json()),
      ]),
    workspaceId,
  );
  return {
    workers: workersResponseSchema.parse(workers).workers,
    heartbeatIntervalMs: serverInfoResponseSchema.parse(server).heartbeatIntervalMs,
  };
}

describe("a frozen machine", () => {
  it(
    "regression: turns offline on the page 3 server intervals after its last heartbeat, by the clock (it showed Online 54 s on)",
    async () => {
      const app = await openAppPage(fixture.browser, fixture.baseUrl);
      const { page } = app;
      // The page's clock runs as usual until the test moves it; the server's clock is untouched.
      await page.clock.install();
      await signUp(page, newPerson("Frida"));
      await createFirstWorkspace(page, "Frozen machines");
      const workspaceId = workspaceIdFromUrl(page);
      const rawKey = await createKey(page, "frida-laptop-worker", app.readClipboard);
      const machine = newMachine();
      expect((await machine.run(["login", "--token", rawKey, "--server", fixture.baseUrl])).code).toBe(0);
      const daemon = machine.startDaemon();
      daemons.push(daemon);

      await openSettings(page, "Workers");
      const row = workerRows(page).filter({ hasText: "frida-laptop-worker" });
      await waitForText(row, "Online", 20_000);
      // Frozen before its first heartbeat (due 18 to 20 s after it registered): the machine stops,
      // its socket stays open, and nothing more reaches the server.
      daemon.process.kill("SIGSTOP");

      const before = await serverView(app, workspaceId);
      expect(before.heartbeatIntervalMs).toBe(HEARTBEAT_INTERVAL_MS);
      const lastHeartbeatAt = before.workers[0]?.lastHeartbeatAt;
      if (!lastHeartbeatAt) throw new Error("the worker has no last heartbeat");
      const deadline = Date.parse(lastHeartbeatAt) + 3 * HEARTBEAT_INTERVAL_MS;

      // 58 s on (more than 3 default intervals of 15 s, less than 3 of this server's 20 s): still online.
      await page.clock.pauseAt(deadline - 2_000);
      await page.getByRole("heading", { name: "Workers", level: 1 }).waitFor();
      await expect.poll(() => row.locator('[data-label="Status"]').textContent()).toBe("Online");

      // Just past the deadline the page says offline, while the server, whose clock has not moved,
      // has not yet dropped the silent socket: the page worked it out itself.
      await page.clock.pauseAt(deadline + 1_000);
      await waitForText(row.locator('[data-label="Status"]'), "Offline", 10_000);
      expect(await row.locator('[data-label="Last heartbeat"]').textContent()).toBe("1 minute ago");
      expect(await row.locator('[data-label="Connected since"]').textContent()).toBe("—");
      const after = await serverView(app, workspaceId);
      expect(after.workers[0]?.status).toBe("online");
      // No heartbeat slipped through before the freeze: the deadline above was the real one.
      expect(after.workers[0]?.lastHeartbeatAt).toBe(lastHeartbeatAt);

      await page.clock.resume();
      expect(app.consoleErrors()).toEqual([]);
    },
    SLOW_TEST_MS,
  );
});

/** Resolves when `release` is called: a test's hand on a request the page is waiting for. */
function gate(): { opened: Promise<void>; release: () => void } {
  let release = (): void => {};
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { opened, release };
}

/**
 * Holds the page's event stream back until the returned function is called, as when a stream is
 * slower to open than the list is to arrive.
 */
async function holdEventStream(page: Page): Promise<() => void> {
  const stream = gate();
  await page.route(EVENT_STREAM, async (route) => {
    await stream.opened;
    await route.continue();
  });
  return stream.release;
}

describe("a page opened as a worker registers", () => {
  it(
    "regression: a worker that registers after the page's first read, before its stream opens, shows at once (it waited for the 30-s refresh)",
    async () => {
      const { app, page, machine } = await ownerWithLoggedInMachine(
        "Greta",
        "Late streams",
        "greta-build-worker",
      );

      // The page's event stream is held back until the worker has registered.
      const openStream = await holdEventStream(page);
      await openSettings(page, "Workers");
      await page.getByRole("heading", { name: "No workers yet" }).waitFor();

      const daemon = machine.startDaemon();
      daemons.push(daemon);
      await expect.poll(() => daemon.output(), { timeout: 20_000 }).toMatch(/registered/);
      openStream();

      // Well under the page's 30-s refresh: the stream's opening reads the list again.
      await waitForText(workerRows(page).filter({ hasText: "greta-build-worker" }), "Online", 10_000);
      await waitForText(page.locator("main"), "Updating live.");
      await page.unroute(EVENT_STREAM);
      expect(app.consoleErrors()).toEqual([]);
    },
    SLOW_TEST_MS,
  );
});

/**
 * Holds the page's `nth` read of the workers list (1 for the first): the server answers it at once,
 * and the page gets that answer only when the test says, as over a slow network. `answered` resolves
 * once the server has answered it, `deliver` hands the answer to the page and resolves once the page
 * has received it all. Other reads pass through.
 */
async function holdListRead(page: Page, nth: number) {
  const listRead = (url: URL) => /^\/api\/v1\/workspaces\/[^/]+\/workers$/.test(url.pathname);
  const answered = gate();
  const delivery = gate();
  let held: Request | null = null;
  let reads = 0;
  await page.route(listRead, async (route) => {
    reads += 1;
    if (reads !== nth) return route.continue();
    held = route.request();
    const response = await route.fetch();
    answered.release();
    await delivery.opened;
    await route.fulfill({ response });
  });
  return {
    answered: answered.opened,
    deliver: async () => {
      if (!held) throw new Error(`the page has not made its read number ${nth} of the list`);
      const request = held;
      const received = page.waitForEvent("requestfinished", (finished) => finished === request);
      delivery.release();
      await received;
      // The page parses and shows an answer within a frame or two of receiving it.
      await page.waitForTimeout(500);
    },
  };
}

/** The row shows Online right now: read at once, not waited for (a missing row could come back). */
async function expectOnlineNow(page: Page, row: Locator): Promise<void> {
  expect(await page.getByRole("heading", { name: "No workers yet" }).count()).toBe(0);
  expect(await row.locator('[data-label="Status"]').allTextContents()).toEqual(["Online"]);
}

describe("list reads that answer late", () => {
  it(
    "regression: an older read that answers after a newer one does not put back what the newer one replaced",
    async () => {
      const { app, page, machine } = await ownerWithLoggedInMachine(
        "Hanna",
        "Late answers",
        "hanna-ci-worker",
      );

      // The page's first read answers "no workers", but reaches it only after the read it makes
      // when its stream opens, which the test holds until the worker has registered.
      const firstRead = await holdListRead(page, 1);
      const openStream = await holdEventStream(page);
      await openSettings(page, "Workers");
      await firstRead.answered;
      const daemon = machine.startDaemon();
      daemons.push(daemon);
      await expect.poll(() => daemon.output(), { timeout: 20_000 }).toMatch(/registered/);
      openStream();
      const row = workerRows(page).filter({ hasText: "hanna-ci-worker" });
      await waitForText(row, "Online", 10_000);

      await firstRead.deliver();
      await expectOnlineNow(page, row);
      // The page re-reads every few seconds while a worker is online: no read left in a handler.
      await page.unrouteAll({ behavior: "wait" });
      expect(app.consoleErrors()).toEqual([]);
    },
    SLOW_TEST_MS,
  );

  it(
    "regression: a read that answers after a live event keeps what the event showed",
    async () => {
      const { app, page, machine } = await ownerWithLoggedInMachine(
        "Ivo",
        "Late answers",
        "ivo-build-worker",
      );

      // The read the page makes when its stream opens answers "no workers" and reaches the page only
      // after the worker's registration has reached it as an event.
      const streamRead = await holdListRead(page, 2);
      await openSettings(page, "Workers");
      await page.getByRole("heading", { name: "No workers yet" }).waitFor();
      await waitForText(page.locator("main"), "Updating live.");
      await streamRead.answered;
      const daemon = machine.startDaemon();
      daemons.push(daemon);
      const row = workerRows(page).filter({ hasText: "ivo-build-worker" });
      await waitForText(row, "Online", 20_000);

      await streamRead.deliver();
      await expectOnlineNow(page, row);
      await page.unrouteAll({ behavior: "wait" });
      expect(app.consoleErrors()).toEqual([]);
    },
    SLOW_TEST_MS,
  );
});

describe("a page that lost the server", () => {
  it(
    "regression: says so instead of 'Updating live', and catches up on what it missed once back",
    async () => {
      const store = await createTestStore();
      let server = await startServer({ store });
      try {
        // 503 is what the page's requests get while the test holds its event stream down.
        const app = await openAppPage(fixture.browser, server.url, { expectedStatuses: [401, 503] });
        const { page } = app;
        await signUp(page, newPerson("Lars"));
        await createFirstWorkspace(page, "Lost and found");
        const rawKey = await createKey(page, "lars-ci-worker", app.readClipboard);
        await openSettings(page, "Workers");
        await waitForText(page.locator("main"), "Updating live.");

        // The server dies.
        await server.stop("SIGKILL");
        const state = page.getByTestId("connection-state");
        await waitForText(state, "Lost contact with the server");
        expect(await page.getByText("Updating live.").count()).toBe(0);
        await page.getByRole("alert").filter({ hasText: "Lost contact with the server" }).waitFor();

        // While it is down, every attempt to reopen the stream gets an HTTP error, as from a proxy:
        // the browser gives up on such a stream for good, and the page must open a new one itself.
        await page.route(EVENT_STREAM, (route) =>
          route.fulfill({ status: 503, contentType: "text/plain", body: "upstream unavailable" }),
        );
        server = await startServer({ store, port: server.port });

        // A worker registers while the page hears nothing of it.
        const machine = newMachine();
        const login = await machine.run(["login", "--token", rawKey, "--server", server.url]);
        expect(login.code, login.stdout + login.stderr).toBe(0);
        const daemon = machine.startDaemon();
        daemons.push(daemon);
        await expect.poll(() => daemon.output(), { timeout: 20_000 }).toMatch(/registered/);
        await waitForText(state, "Lost contact with the server");

        // The stream comes back: the page says it is live again and shows what happened meanwhile.
        await page.unroute(EVENT_STREAM);
        await waitForText(page.locator("main"), "Updating live.", 30_000);
        await waitForText(workerRows(page).filter({ hasText: "lars-ci-worker" }), "Online");
        expect(await page.getByText("Lost contact with the server").count()).toBe(0);
        expect(
          // Only the network failures of a killed server are expected.
          app.consoleErrors().filter((error) => !/net::ERR_/.test(error)),
        ).toEqual([]);
        daemon.process.kill("SIGKILL");
        await daemon.exited;
      } finally {
        await server.stop();
        await store.cleanup();
      }
    },
    SLOW_TEST_MS,
  );
});
