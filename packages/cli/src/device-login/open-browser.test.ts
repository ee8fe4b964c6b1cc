import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createBrowserOpener, findBrowserOpener, isWebUrl } from "./open-browser.ts";

/** A directory with a stand-in `xdg-open` that writes the address it was given to a file. */
async function fakeOpenerDir(): Promise<{ dir: string; record: string }> {
  const dir = await mkdtemp(join(tmpdir(), "cogno-opener-"));
  const record = join(dir, "opened.txt");
  const script = join(dir, "xdg-open");
  await writeFile(script, `#!/bin/sh\nprintf '%s' "$1" > '${record}'\n`);
  await chmod(script, 0o755);
  return { dir, record };
}

async function readWhenWritten(path: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (text !== "") return text;
    await sleep(25);
  }
  throw new Error(`${path} was never written`);
}

describe("opening the approval page in a browser", () => {
  it("uses xdg-open on a Linux desktop, passing the address as one argument (no shell)", async () => {
    const { dir, record } = await fakeOpenerDir();
    const open = createBrowserOpener({ platform: "linux", searchPath: dir, hasDisplay: true });
    const url = "http://127.0.0.1:8080/device?code=WDJB-MJHT&x=$(touch%20/tmp/owned);";
    expect(await open(url)).toBe(true);
    expect(await readWhenWritten(record)).toBe(url);
  });

  it("starts nothing without a display (an SSH session), and nothing when no opener is installed", async () => {
    const { dir } = await fakeOpenerDir();
    expect(
      await findBrowserOpener({ platform: "linux", searchPath: dir, hasDisplay: false }),
    ).toBeUndefined();
    expect(
      await findBrowserOpener({ platform: "linux", searchPath: "/nonexistent", hasDisplay: true }),
    ).toBeUndefined();
    expect(
      await createBrowserOpener({ platform: "linux", searchPath: undefined, hasDisplay: true })(
        "https://x.example/device",
      ),
    ).toBe(false);
  });

  it("looks for open on macOS", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cogno-opener-"));
    await writeFile(join(dir, "open"), "#!/bin/sh\n");
    await chmod(join(dir, "open"), 0o755);
    const opener = await findBrowserOpener({ platform: "darwin", searchPath: dir, hasDisplay: false });
    expect(opener?.command).toBe(join(dir, "open"));
    expect(opener?.argumentsFor("https://x.example")).toEqual(["https://x.example"]);
  });

  it("opens web pages only", async () => {
    const { dir, record } = await fakeOpenerDir();
    const open = createBrowserOpener({ platform: "linux", searchPath: dir, hasDisplay: true });
    for (const url of ["file:///etc/passwd", "javascript:alert(1)", "ssh://host", "not a url"]) {
      expect(isWebUrl(url)).toBe(false);
      expect(await open(url)).toBe(false);
    }
    expect(await readFile(record, "utf8").catch(() => "none")).toBe("none");
  });
});
