/**
 * How the unit and end-to-end suites run their files (each package's `vitest.config.ts` and
 * `e2e/vitest.config.ts` use these).
 *
 * Files share their worker processes (`isolate: false`). A fresh process per file, Vitest's default,
 * cost more than the tests in it on a two-core machine: the server's 52 unit files took 87 s with a
 * process each and 30 s sharing two, the end-to-end suite 331 s and 275 s. Sharing is safe because
 * no test leaves state for another to read: each makes its own database, data directory, server,
 * browser and clock, puts fake timers back in an `afterEach` or `finally`, and changes no
 * environment variable.
 */
export const sharedWorkers = { isolate: false } as const;

/**
 * The unit tests wait on databases, files and child processes as much as they compute, so they use
 * every core (Vitest's default leaves one free: on two cores, one file at a time).
 */
export const unitTestOptions = { ...sharedWorkers, maxWorkers: "100%" } as const;
