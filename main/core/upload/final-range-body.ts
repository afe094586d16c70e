import type { ByteSource } from '../graph/types.ts';

/**
 * The body of the range that completes the file. Every byte but the last goes at once; the last
 * only once `beforeLastByte` passed (rules 8 and 4: the file checked, the final request
 * recorded). The server cannot complete the file without it, so the check runs while the rest
 * travels instead of before it. A throw stops the request and is kept as its `failure`.
 */
export class FinalRangeBody implements ByteSource {
  readonly byteLength: number;
  readonly #bytes: Buffer;
  readonly #beforeLastByte: () => Promise<void>;
  #failure: unknown = null;

  constructor(bytes: Buffer, beforeLastByte: () => Promise<void>) {
    if (bytes.length === 0) throw new RangeError('a final range needs at least one byte');
    this.byteLength = bytes.length;
    this.#bytes = bytes;
    this.#beforeLastByte = beforeLastByte;
  }

  /** What stopped the request from this side (the check before the last byte), if anything. */
  get failure(): unknown {
    return this.#failure;
  }

  open(): ReadableStream<Uint8Array> {
    const bytes = this.#bytes;
    let bulkSent = bytes.length === 1;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            if (!bulkSent) {
              bulkSent = true;
              controller.enqueue(bytes.subarray(0, -1));
              return;
            }
            await this.#beforeLastByte();
            controller.enqueue(bytes.subarray(-1));
            controller.close();
          } catch (error) {
            this.#failure = error;
            controller.error(error);
          }
        },
      },
      // Pulled only when the request asks for more: the check starts once the rest is on its way.
      { highWaterMark: 0 },
    );
  }
}
