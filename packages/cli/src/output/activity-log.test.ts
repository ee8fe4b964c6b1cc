import { readFile } from "node:fs/promises";
import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { createTemporaryConfigDir } from "../testing/run-cli.ts";
import {
  ACTIVITY_LOG_MAX_LINES,
  activityLogPathOf,
  createActivityLog,
  readActivityLog,
  redactCommandLine,
} from "./activity-log.ts";

describe("activity log", () => {
  it("hides any --token value, key-shaped or not", () => {
    const key = generateApiKey();
    expect(redactCommandLine(["login", "--token", key])).toBe(`cogno login --token ${key.slice(0, 17)}…`);
    expect(redactCommandLine(["login", "--token", "hunter2"])).toBe("cogno login --token <redacted>");
    expect(redactCommandLine(["login", "--token=hunter2"])).toBe("cogno login --token=<redacted>");
    expect(redactCommandLine(["login", "--token", "-"])).toBe("cogno login --token -");
    expect(redactCommandLine(["--name", "ci"])).toBe("cogno --name ci");
  });

  it("keeps the last lines and the exit code, with no secret in the file", async () => {
    const dir = await createTemporaryConfigDir();
    const key = generateApiKey();
    const log = createActivityLog(dir, ["login", "--token", "not-a-key-but-secret"], () => new Date(0));
    for (let index = 0; index < ACTIVITY_LOG_MAX_LINES + 5; index += 1)
      log.recordLine(`line ${index} ${key}`);
    await log.finish(3);
    const text = await readFile(activityLogPathOf(dir), "utf8");
    expect(text).not.toContain(key.slice(17));
    expect(text).not.toContain("not-a-key-but-secret");
    const record = await readActivityLog(dir);
    expect(record?.exitCode).toBe(3);
    expect(record?.lines).toHaveLength(ACTIVITY_LOG_MAX_LINES);
    expect(record?.lines.at(-1)).toBe(`line ${ACTIVITY_LOG_MAX_LINES + 4} ${key.slice(0, 17)}…`);
  });
});
