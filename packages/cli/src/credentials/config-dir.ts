import { chmod, mkdir, stat } from "node:fs/promises";

/** Owner-only: the directory holds a raw key. */
export const CONFIG_DIR_MODE = 0o700;

/**
 * Creates the config directory as 0700, and tightens it if it already exists with wider permissions
 * (a user may have created it by hand with a default umask).
 */
export async function ensureConfigDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: CONFIG_DIR_MODE });
  const info = await stat(dir);
  if ((info.mode & 0o777) !== CONFIG_DIR_MODE) await chmod(dir, CONFIG_DIR_MODE);
}
