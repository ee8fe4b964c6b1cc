/**
 * The server paths the CLI calls. Plain strings rather than protocol's `routes` table, so the bundle
 * (and `cogno --version`) does not build every route's schemas at start-up; endpoints.test.ts checks
 * each against the table, so they cannot drift from the contract.
 */
export const ENDPOINTS = {
  whoami: "/api/v1/worker/whoami",
  connectWorker: "/api/v1/worker/connect",
  deviceAuthorize: "/api/v1/device/authorize",
  deviceToken: "/api/v1/device/token",
} as const;

export type Endpoint = keyof typeof ENDPOINTS;

export function endpointUrlOf(server: string, endpoint: Endpoint): URL {
  return new URL(`${server}${ENDPOINTS[endpoint]}`);
}
