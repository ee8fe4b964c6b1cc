/**
 * What follows a committed change to keys: announcing it to every replica (the acknowledged
 * key-change feed) and publishing the news (the bus, for live pages).
 *
 * A failure here must never turn a committed change into an error answer: the raw key of a create
 * or a roll would be lost while the key exists and counts toward the 25. So failures are logged,
 * not thrown. Nothing is lost by it: the change is in the key-change log, which every replica reads
 * when it renews its lease or reconnects its listener.
 */
import type { Deps } from "../deps.ts";
import type { DomainEvent } from "../events/bus.ts";
import type { KeyChange } from "../events/key-changes.ts";

export async function announceCommitted(
  deps: Deps,
  change: KeyChange | undefined,
  events: DomainEvent[],
): Promise<void> {
  if (change !== undefined) {
    try {
      await deps.keyChanges.announce(change);
    } catch (error) {
      deps.log.error(
        { err: error, keyIds: change.keyIds, change: change.change, seq: change.seq },
        "a committed key change could not be announced; replicas apply it from the key-change log",
      );
    }
  }
  // Not awaited: the bus carries news for live pages, delivered here at once and to other replicas
  // when the notify pool gets to it, which may be behind a burst of worker events; the request that
  // made the change has nothing to wait for once every replica acknowledged the key change above.
  for (const event of events) {
    deps.bus
      .publish(event)
      .catch((error: unknown) =>
        deps.log.warn({ err: error, event: event.type }, "could not publish a committed key event"),
      );
  }
}
