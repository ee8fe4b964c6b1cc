import { describe, expect, it } from "vitest";
import { leaseDeadline, OwnLease, RecentSeqs, rereadFloor } from "./lease.ts";

const timing = { leaseMs: 2_000, renewEveryMs: 1_000, marginMs: 150 };

describe("OwnLease", () => {
  it("is not current before its first renewal", () => {
    expect(new OwnLease(timing).current(0)).toBe(false);
  });

  it("counts from when the renewal was sent, less the margin", () => {
    const lease = new OwnLease(timing);
    lease.renewed(1_000);
    expect(lease.current(2_849)).toBe(true);
    expect(lease.current(2_850)).toBe(false);
  });

  it("never moves backwards when an older renewal's answer arrives late", () => {
    const lease = new OwnLease(timing);
    lease.renewed(5_000);
    lease.renewed(4_000);
    expect(lease.validUntil).toBe(6_850);
  });

  it("lapses at once when told to", () => {
    const lease = new OwnLease(timing);
    lease.renewed(1_000);
    lease.lapse();
    expect(lease.current(1_001)).toBe(false);
  });
});

describe("leaseDeadline", () => {
  it("waits out what the database says is left, from when its answer arrived", () => {
    expect(leaseDeadline({ leaseExpiresMs: 10_700, databaseNowMs: 10_000 }, 500)).toBe(1_200);
  });

  it("does not wait for a lease that has run out", () => {
    expect(leaseDeadline({ leaseExpiresMs: 9_000, databaseNowMs: 10_000 }, 500)).toBe(500);
  });
});

describe("RecentSeqs", () => {
  it("treats what existed at start as applied, and the window below the highest as to re-read", () => {
    const seqs = new RecentSeqs(1_000, 10);
    expect(seqs.floor).toBe(990);
    expect(seqs.isNew(990)).toBe(false);
    // Inside the window: re-applying is harmless and catches entries that committed late.
    expect(seqs.isNew(995)).toBe(true);
    expect(seqs.isNew(1_001)).toBe(true);
  });

  it("applies each sequence number once, whatever the order they arrive in", () => {
    const seqs = new RecentSeqs(0, 10);
    seqs.add(3);
    seqs.add(2);
    expect(seqs.isNew(2)).toBe(false);
    expect(seqs.isNew(3)).toBe(false);
    expect(seqs.isNew(1)).toBe(true);
    expect(seqs.highest).toBe(3);
    expect(seqs.appliedAboveFloor().sort()).toEqual([2, 3]);
  });

  it("forgets what fell below the window", () => {
    const seqs = new RecentSeqs(0, 10);
    for (const seq of [1, 5, 12, 20]) seqs.add(seq);
    expect(seqs.floor).toBe(10);
    expect(seqs.appliedAboveFloor().sort((a, b) => a - b)).toEqual([12, 20]);
    expect(seqs.isNew(5)).toBe(false);
  });

  it("never re-reads below zero", () => {
    expect(rereadFloor(5, 200)).toBe(0);
  });
});
