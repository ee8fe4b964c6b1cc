/** A workspace's server-sent event stream, read as a test needs it: wait for an event that matches. */
import { type WorkspaceEventData, type WorkspaceEventName, workspaceEventSchemas } from "@cogno/protocol";
import { assertShape, type Schema } from "../support/api.ts";

/** The contract's schema for each event name, typed so that a name picks its data's type. */
const EVENT_SCHEMAS: { [Name in WorkspaceEventName]: Schema<WorkspaceEventData<Name>> } =
  workspaceEventSchemas;

export interface ReceivedEvent {
  event: string;
  data: unknown;
}

export interface EventStream {
  /**
   * The first event of that name whose data passes `accept` (already received, or still to come).
   * Every event of that name is checked against the contract's schema for it: a mismatch fails.
   */
  next<Name extends WorkspaceEventName>(
    name: Name,
    accept?: (data: WorkspaceEventData<Name>) => boolean,
    timeoutMs?: number,
  ): Promise<WorkspaceEventData<Name>>;
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
        if (name !== undefined && data !== undefined) {
          const parsed: unknown = JSON.parse(data);
          received.push({ event: name, data: parsed });
        }
        end = buffered.indexOf("\n\n");
      }
    }
    ended = true;
  })();
  return {
    async next(name, accept = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const schema = EVENT_SCHEMAS[name];
        for (const item of received) {
          if (item.event !== name) continue;
          const data = item.data;
          assertShape(schema, data);
          if (accept(data)) return data;
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
