/**
 * Online backup of the SQLite database through SQLite's backup API: pages are copied in small
 * steps between which the server keeps serving, and writes made meanwhile through the same
 * connection are carried into the copy. The copy is written beside its destination and renamed
 * into place only once it is complete and passes SQLite's integrity check, so a backup file is
 * either whole or absent.
 */
import { chmod, rename, rm } from "node:fs/promises";
import path from "node:path";
import SqliteDatabase from "better-sqlite3";

export interface BackupResult {
  file: string;
  pages: number;
  bytes: number;
}

export async function backupSqlite(
  source: SqliteDatabase.Database,
  destination: string,
): Promise<BackupResult> {
  const file = path.resolve(destination);
  const partial = `${file}.partial-${process.pid}`;
  try {
    const { totalPages } = await source.backup(partial);
    await chmod(partial, 0o600); // it holds everything the server holds: keep it the owner's
    const copy = new SqliteDatabase(partial, { readonly: true });
    try {
      const [check] = copy.pragma("integrity_check") as { integrity_check: string }[];
      if (check?.integrity_check !== "ok")
        throw new Error(`the copy failed SQLite's integrity check: ${check?.integrity_check}`);
      const pageSize = Number(copy.pragma("page_size", { simple: true }));
      await rename(partial, file);
      return { file, pages: totalPages, bytes: totalPages * pageSize };
    } finally {
      copy.close();
    }
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
