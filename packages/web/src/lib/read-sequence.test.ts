import { describe, expect, it } from "vitest";
import { ReadSequence, type Settled } from "./read-sequence.ts";

const add =
  (item: string) =>
  (current: string[] | null): string[] => [...(current ?? []).filter((existing) => existing !== item), item];

const shown = (settled: Settled<string[]>) => (settled.show ? settled.value : "dropped");

describe("ReadSequence", () => {
  it("shows reads that answer in order", () => {
    const sequence = new ReadSequence<string[]>();
    const first = sequence.start();
    expect(shown(sequence.settle(first, ["a"]))).toEqual(["a"]);
    const second = sequence.start();
    expect(shown(sequence.settle(second, ["a", "b"]))).toEqual(["a", "b"]);
  });

  it("drops a read that answers after a later one was shown", () => {
    const sequence = new ReadSequence<string[]>();
    const first = sequence.start();
    const second = sequence.start();
    expect(shown(sequence.settle(second, ["a", "b"]))).toEqual(["a", "b"]);
    expect(shown(sequence.settle(first, ["a"]))).toBe("dropped");
  });

  it("shows an older read that answers first, then the later one", () => {
    const sequence = new ReadSequence<string[]>();
    const first = sequence.start();
    const second = sequence.start();
    expect(shown(sequence.settle(first, ["a"]))).toEqual(["a"]);
    expect(shown(sequence.settle(second, ["a", "b"]))).toEqual(["a", "b"]);
  });

  it("applies again over a read's answer every live update made while it was under way", () => {
    const sequence = new ReadSequence<string[]>();
    const read = sequence.start();
    sequence.record(add("live"));
    expect(shown(sequence.settle(read, ["a"]))).toEqual(["a", "live"]);
  });

  it("does not apply again an update made before the read started", () => {
    const sequence = new ReadSequence<string[]>();
    const first = sequence.start();
    sequence.record(add("early"));
    const second = sequence.start();
    expect(shown(sequence.settle(second, ["a"]))).toEqual(["a"]);
    expect(shown(sequence.settle(first, ["a", "early"]))).toBe("dropped");
  });

  it("keeps nothing for reads once none is under way", () => {
    const sequence = new ReadSequence<string[]>();
    sequence.record(add("before any read"));
    const read = sequence.start();
    expect(shown(sequence.settle(read, ["a"]))).toEqual(["a"]);
    sequence.record(add("between reads"));
    const next = sequence.start();
    expect(shown(sequence.settle(next, ["b"]))).toEqual(["b"]);
  });

  it("keeps an update for a read still under way after an older one failed", () => {
    const sequence = new ReadSequence<string[]>();
    const first = sequence.start();
    const second = sequence.start();
    sequence.record(add("live"));
    expect(sequence.fail(first)).toBe(true);
    expect(shown(sequence.settle(second, ["a"]))).toEqual(["a", "live"]);
  });

  it("reports a failure only if no later read has been shown", () => {
    const sequence = new ReadSequence<string[]>();
    const first = sequence.start();
    const second = sequence.start();
    sequence.settle(second, ["a"]);
    expect(sequence.fail(first)).toBe(false);
    expect(sequence.fail(sequence.start())).toBe(true);
  });
});
