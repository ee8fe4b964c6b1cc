/**
 * `cogno-server backup <file>`: an online backup of the SQLite database. With a server running on
 * the data directory, the server makes the copy (it holds the database's exclusive lock) through
 * the control socket, while it keeps serving; with none running, this command opens the database
 * and copies it itself. Returns the exit code.
 */
import path from "node:path";
import { ConfigError, parseConfig } from "../config.ts";
import { backupSqlite } from "../db/backup.ts";
import { DataDirectoryInUseError, openDatabase } from "../db/create-database.ts";
import { requestControl } from "./control-socket.ts";

export interface CommandOutput {
  out(line: string): void;
  error(line: string): void;
}

export async function runBackupCommand(
  args: readonly string[],
  environment: NodeJS.ProcessEnv,
  output: CommandOutput,
): Promise<number> {
  const [target, ...extra] = args;
  if (target === undefined || target.startsWith("-") || extra.length > 0) {
    output.error(
      "usage: cogno-server backup <file>   (an online copy of the SQLite database, while the server runs)",
    );
    return 2;
  }
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(environment, { webDir: ".", isTerminal: false });
  } catch (error) {
    output.error(error instanceof ConfigError ? error.message : String(error));
    return 2;
  }
  if (config.databaseUrl !== undefined) {
    output.error(
      "cogno-server backup copies the SQLite database of COGNO_DATA_DIR. With COGNO_DATABASE_URL set, back up PostgreSQL with its own tools (pg_dump, or your provider's snapshots).",
    );
    return 2;
  }
  const file = path.resolve(target);
  try {
    const answer = await requestControl(config.dataDir, { command: "backup", file });
    if (!answer.ok) {
      output.error(`Backup failed: ${answer.message}`);
      return 1;
    }
    output.out(
      `Backed up ${config.dataDir} to ${answer.file} (${formatBytes(answer.bytes)}) while the server ran.`,
    );
    return 0;
  } catch (error) {
    if (!isNoServer(error)) {
      output.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  // No server is running on the data directory: copy it here.
  try {
    const database = openDatabase(config);
    try {
      if (database.sqlite === undefined) throw new Error("not a SQLite database");
      const result = await backupSqlite(database.sqlite, file);
      output.out(`Backed up ${config.dataDir} to ${result.file} (${formatBytes(result.bytes)}).`);
      return 0;
    } finally {
      await database.db.destroy();
    }
  } catch (error) {
    output.error(
      error instanceof DataDirectoryInUseError
        ? `A cogno-server holds ${config.dataDir} but its control socket does not answer; is it an older version? Stop it and run the backup again.`
        : `Backup failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}

function isNoServer(error: unknown): boolean {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  return code === "ENOENT" || code === "ECONNREFUSED";
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
