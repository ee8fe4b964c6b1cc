/** Asserts the API.md error shape: exact status, exact code, and a message a person can read. */
import { errorBodySchema } from "@cogno/protocol";
import { expect } from "vitest";
import { type ApiResponse, bodyOf } from "./api.ts";

export function expectError(response: ApiResponse, status: number, code: string): string {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  const { error } = bodyOf(response, errorBodySchema);
  expect(error.message.length).toBeGreaterThan(0);
  return error.message;
}

/**
 * Asserts two refusals read the same to the client (so one cannot tell the cases apart): same
 * status, code and message. Only their request ids differ, as every request's does.
 */
export function expectSameRefusal(response: ApiResponse, other: ApiResponse): void {
  const shown = (answer: ApiResponse) => {
    const { error } = bodyOf(answer, errorBodySchema);
    return { status: answer.status, code: error.code, message: error.message };
  };
  expect(shown(response)).toEqual(shown(other));
}
