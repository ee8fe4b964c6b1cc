import { describe, expect, it } from "vitest";
import { Acknowledgements } from "./acknowledgements.ts";

describe("Acknowledgements", () => {
  it("settles at once when no other replica holds a lease", () => {
    const acks = new Acknowledgements();
    expect(acks.start(7, [], 100)).toEqual({ seq: 7, acknowledged: [], lapsed: [], waitedMs: 0 });
    expect(acks.size).toBe(0);
  });

  it("settles when the last awaited replica acknowledges", () => {
    const acks = new Acknowledgements();
    expect(
      acks.start(
        7,
        [
          { replicaId: "b", deadline: 2_000 },
          { replicaId: "c", deadline: 2_000 },
        ],
        100,
      ),
    ).toBeUndefined();
    expect(acks.acknowledge("b", [7], 110)).toEqual([]);
    expect(acks.acknowledge("b", [7], 111)).toEqual([]); // a repeat changes nothing
    expect(acks.acknowledge("c", [6, 7], 130)).toEqual([
      {
        seq: 7,
        acknowledged: [
          { replicaId: "b", afterMs: 10 },
          { replicaId: "c", afterMs: 30 },
        ],
        lapsed: [],
        waitedMs: 30,
      },
    ]);
    expect(acks.size).toBe(0);
  });

  it("ignores acknowledgements of other changes and from replicas it does not wait on", () => {
    const acks = new Acknowledgements();
    acks.start(7, [{ replicaId: "b", deadline: 2_000 }], 0);
    expect(acks.acknowledge("b", [8], 5)).toEqual([]);
    expect(acks.acknowledge("z", [7], 5)).toEqual([]);
    expect(acks.size).toBe(1);
  });

  it("gives up on a silent replica once its lease has run out, not before", () => {
    const acks = new Acknowledgements();
    acks.start(
      7,
      [
        { replicaId: "b", deadline: 1_500 },
        { replicaId: "dead", deadline: 2_000 },
      ],
      0,
    );
    acks.acknowledge("b", [7], 20);
    expect(acks.nextDeadline()).toBe(2_000);
    expect(acks.expire(1_999)).toEqual([]);
    expect(acks.expire(2_000)).toEqual([
      { seq: 7, acknowledged: [{ replicaId: "b", afterMs: 20 }], lapsed: ["dead"], waitedMs: 2_000 },
    ]);
    expect(acks.nextDeadline()).toBeUndefined();
  });

  it("keeps two announcements of the same change apart", () => {
    const acks = new Acknowledgements();
    acks.start(7, [{ replicaId: "b", deadline: 1_000 }], 0);
    acks.start(7, [{ replicaId: "b", deadline: 1_000 }], 10);
    expect(acks.acknowledge("b", [7], 50).map((settled) => settled.waitedMs)).toEqual([50, 40]);
  });
});
