/**
 * Group commit: writes that arrive together are written together. The first write of a quiet
 * moment waits for the current turn of the event loop to end (so a burst gathers), then its batch
 * is written in one transaction; writes that arrive meanwhile form the next batch. Each caller's
 * promise settles only once its own batch has committed, so nothing is acknowledged before it is
 * durable, and a storm of 1,000 registrations costs a few fsyncs instead of 1,000.
 */
export class GroupCommit<Input, Output> {
  readonly #write: (inputs: Input[]) => Promise<Output[]>;
  readonly #maxBatch: number;
  #queue: { input: Input; resolve: (output: Output) => void; reject: (error: unknown) => void }[] = [];
  #running: Promise<void> | undefined;

  constructor(write: (inputs: Input[]) => Promise<Output[]>, maxBatch = 500) {
    this.#write = write;
    this.#maxBatch = maxBatch;
  }

  submit(input: Input): Promise<Output> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Resolves once everything submitted so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        const outputs = await this.#write(batch.map((item) => item.input));
        for (const [index, item] of batch.entries()) item.resolve(outputs[index] as Output);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        // One bad write must not fail its neighbours: write them one by one, each with its own answer.
        for (const item of batch) {
          try {
            const [output] = await this.#write([item.input]);
            item.resolve(output as Output);
          } catch (single) {
            item.reject(single);
          }
        }
      }
    }
    this.#running = undefined;
  }
}
