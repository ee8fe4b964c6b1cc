/**
 * Whole-file writes that a crash or a concurrent reader never sees half done: the data goes to a
 * temporary file in the same directory (same file system, so rename is atomic), is flushed, and then
 * renamed over the target. A failure at any step leaves the target exactly as it was.
 */
import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

function temporaryPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

async function writeFlushedFile(path: string, data: string, mode: number): Promise<void> {
  // "wx": never follow or reuse an existing path; the mode is applied at creation, so the
  // secret is never readable by others, not even for an instant.
  const handle = await open(path, "wx", mode);
  try {
    await handle.writeFile(data, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Some platforms cannot open a directory; the rename is still atomic.
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

export async function writeFileAtomic(target: string, data: string, mode: number): Promise<void> {
  const temporary = temporaryPathFor(target);
  try {
    await writeFlushedFile(temporary, data, mode);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(target));
}

/**
 * Creates `target` with `data` unless it already exists, atomically: two processes racing get the
 * same content, the first one's. Returns the content that is in the file afterwards.
 */
export async function createFileOnce(target: string, data: string, mode: number): Promise<string> {
  const temporary = temporaryPathFor(target);
  try {
    await writeFlushedFile(temporary, data, mode);
    // link() fails with EEXIST instead of replacing, unlike rename().
    await link(temporary, target);
    return data;
  } catch (error) {
    if (isErrnoException(error) && error.code === "EEXIST") return readFile(target, "utf8");
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") return undefined;
    throw error;
  }
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && "code" in error;
}
