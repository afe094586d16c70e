import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Exchange-style opaque ids: base64 with `-`, `_` and `=` padding, like the ones Graph returns
 * for lists, tasks, sessions and attachments, so clients that forget to encode them fail here too.
 */
export function opaqueId(): string {
  const body = randomBytes(33).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
  return `AAMkA${body}=`;
}

export function guid(): string {
  return randomUUID();
}
