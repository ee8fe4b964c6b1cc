/**
 * Load for the fault tests: loops of authenticated requests that tally what they got, and the
 * checks every fault test makes afterwards (nothing but 2xx and 503 with Retry-After; serving again).
 */
import { createApiKeyResponseSchema, errorBodySchema } from "@cogno/protocol";
import { expect } from "vitest";
import { ApiClient, type ApiResponse, bodyOf, signUpWithWorkspace } from "../support/api.ts";
import { waitFor } from "../support/wait-for.ts";

type Owner = Awaited<ReturnType<typeof signUpWithWorkspace>>;

/**
 * What a request got: its status, and for errors the code and Retry-After. An error body outside
 * the contract throws, which the loops tally as "no answer" and the checks then refuse.
 */
export function outcome(response: ApiResponse): string {
  if (response.status < 400) return String(response.status);
  const code = bodyOf(response, errorBodySchema).error.code;
  const retryAfter = response.headers.get("retry-after");
  return `${response.status} ${code}${retryAfter === null ? "" : " retry-after"}`;
}

/** Loops of authenticated requests (reads, creates and revokes) until stopped; tallies outcomes. */
export function startChurn(owner: Owner, loops = 4) {
  const tally = new Map<string, number>();
  let running = true;
  const count = (response: ApiResponse) => {
    const key = outcome(response);
    tally.set(key, (tally.get(key) ?? 0) + 1);
    return response;
  };
  const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
  const loop = async () => {
    while (running) {
      try {
        count(await owner.client.get("/api/v1/me"));
        count(await owner.client.get(keysPath));
        const created = count(await owner.client.post(keysPath, { name: "churn" }));
        if (created.status === 201)
          count(
            await owner.client.delete(`${keysPath}/${bodyOf(created, createApiKeyResponseSchema).apiKey.id}`),
          );
      } catch (error) {
        const key = `no answer: ${error instanceof Error ? error.message : String(error)}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const loopsDone = Promise.all(Array.from({ length: loops }, loop));
  return {
    tally,
    async stop() {
      running = false;
      await loopsDone;
      return Object.fromEntries(tally);
    },
  };
}

export function expectNoServerErrors(tally: Record<string, number>): void {
  const bad = Object.keys(tally).filter(
    (key) => !/^(200|201|503 service_unavailable retry-after)$/.test(key),
  );
  expect(bad, JSON.stringify(tally)).toEqual([]);
}

export async function expectServing(url: string): Promise<void> {
  const client = new ApiClient(url);
  await waitFor(
    async () => (await client.get("/readyz")).status,
    (status) => status === 200,
    20_000,
  );
  const owner = await signUpWithWorkspace(url);
  expect(
    (await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-keys`, { name: "after" })).status,
  ).toBe(201);
}
