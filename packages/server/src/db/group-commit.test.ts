import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit.ts";

describe("GroupCommit", () => {
  it("writes what arrives in one turn as one batch, and answers each caller with its own result", async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (inputs) => {
      batches.push(inputs);
      return inputs.map((input) => input * 10);
    });
    const answers = await Promise.all([1, 2, 3].map((input) => group.submit(input)));
    expect(answers).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("gathers what arrives during a write into the next batch, never answering before its own write", async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const group = new GroupCommit<number, number>(async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return inputs;
    });
    let secondAnswered = false;
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = group.submit(2).then((value) => {
      secondAnswered = true;
      return value;
    });
    const third = group.submit(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondAnswered).toBe(false);
    release();
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it("splits batches at the maximum size", async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number, number>(async (inputs) => {
      sizes.push(inputs.length);
      return inputs;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((input) => group.submit(input)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("when a batch fails, writes its members one by one so only the bad one fails", async () => {
    const group = new GroupCommit<number, number>(async (inputs) => {
      if (inputs.includes(2)) throw new Error("bad input 2");
      return inputs;
    });
    const results = await Promise.allSettled([1, 2, 3].map((input) => group.submit(input)));
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    await group.idle();
  });
});
