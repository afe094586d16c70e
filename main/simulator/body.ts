import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'complete'; bytes: Buffer }
  | { kind: 'too-large'; received: number }
  | { kind: 'aborted'; received: number };

/**
 * Reads a request body up to `capBytes`. A body over the cap is drained, not kept, so the
 * connection can still carry the answer.
 */
export function readBody(req: IncomingMessage, capBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= capBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      settle(
        received > capBytes
          ? { kind: 'too-large', received }
          : { kind: 'complete', bytes: Buffer.concat(chunks, received) },
      );
    });
    req.on('aborted', () => settle({ kind: 'aborted', received }));
    req.on('close', () => settle({ kind: 'aborted', received }));
    req.on('error', () => settle({ kind: 'aborted', received }));
  });
}

export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
