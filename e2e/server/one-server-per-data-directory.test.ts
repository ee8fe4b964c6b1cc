/**
 * One SQLite data directory serves one server process: a second process would not hear the first's
 * revocations (events travel in-process on SQLite), so it must refuse to start, clearly.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { SERVER_BIN } from "../support/paths.ts";
import { useServer } from "../support/server.ts";
import { TEST_ENGINE } from "../support/store.ts";

describe.runIf(TEST_ENGINE === "sqlite")("one server per SQLite data directory", () => {
  const fixture = useServer();

  it("refuses to start a second server on a data directory in use, saying what to do", () => {
    const second = spawnSync(process.execPath, [SERVER_BIN], {
      env: { PATH: process.env.PATH ?? "", COGNO_PORT: "0", COGNO_DATA_DIR: fixture.store.dataDir },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("Another cogno-server is using the data directory");
    expect(second.stderr).toContain("COGNO_DATA_DIR");
    expect(second.stdout).not.toContain("ready");
  });
});
