/** A workspace's server-sent event stream, read as a test needs it: wait for an event that matches. */
import { type WorkspaceEventName, workspaceEventSchemas } from "@cogno/protocol";

export interface ReceivedEvent {
  event: string;
  data: unknown;
}

export interface EventStream {
  /** The first event of that name whose data passes `accept` (already received, or still to come). */
  next(
    name: WorkspaceEventName,
    accept?: (data: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function openEventStream(
  baseUrl: string,
  workspaceId: string,
  cookie: string,
): Promise<EventStream> {
  const response = await fetch(`${baseUrl}/api/v1/workspaces/${workspaceId}/events`, { headers: { cookie } });
  if (response.status !== 200 || !response.body) throw new Error(`event stream answered ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const received: ReceivedEvent[] = [];
  let buffered = "";
  let ended = false;
  const pump = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) break;
      buffered += decoder.decode(chunk.value, { stream: true });
      let end = buffered.indexOf("\n\n");
      while (end !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const name = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (name !== undefined && data !== undefined) received.push({ event: name, data: JSON.parse(data) });
        end = buffered.indexOf("\n\n");
      }
    }
    ended = true;
  })();
  return {
    async next(name, accept = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(
          (item) => item.event === name && accept(item.data as Record<string, unknown>),
        );
        if (found) {
          // Every event is checked against the contract's schema for its name.
          return workspaceEventSchemas[name].parse(found.data) as Record<string, unknown>;
        }
        if (ended || Date.now() > deadline)
          throw new Error(
            `no ${name} event in time; received: ${JSON.stringify(received.map((item) => item.event))}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}
