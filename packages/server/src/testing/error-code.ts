import { AppError } from "../http/errors.ts";

/** "ok", or the code of the AppError the work failed with: what a service test asserts on. */
export async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return "ok";
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}
