/** Asserts the API.md error shape: exact status, exact code, and a message a person can read. */
import { expect } from "vitest";
import type { ApiResponse } from "./api.ts";

export function expectError(response: ApiResponse, status: number, code: string): string {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  const { error } = response.body as { error: { message: string } };
  expect(error.message.length).toBeGreaterThan(0);
  return error.message;
}
