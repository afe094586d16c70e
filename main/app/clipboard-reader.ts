import type { ClipboardReader } from '../core/clipboard/clipboard-intake.ts';
import { electronTypesOf } from '../core/clipboard/file-lists.ts';

/** The part of Electron's clipboard (the W3C-shaped one) used: injectable, so it is testable. */
export interface ElectronClipboardLike {
  has(type: string): Promise<boolean>;
  read(): Promise<{ types: readonly string[]; getType(type: string): Promise<unknown> }[]>;
  readText(): Promise<string>;
}

/** Electron's clipboard as core reads it: each format under the types Electron may use for it. */
export function electronClipboardReader(clipboard: ElectronClipboardLike): ClipboardReader {
  return {
    async has(format) {
      for (const type of electronTypesOf(format)) if (await clipboard.has(type)) return true;
      return false;
    },
    async bytes(format) {
      const types = electronTypesOf(format);
      for (const item of await clipboard.read()) {
        const type = types.find((candidate) => item.types.includes(candidate));
        if (type === undefined) continue;
        const bytes = await bytesOf(await item.getType(type));
        if (bytes !== null) return bytes;
      }
      return null;
    },
    text: () => clipboard.readText(),
  };
}

/** A payload as bytes: Electron's types say Blob, its documentation says Buffer; text is UTF-8. */
async function bytesOf(payload: unknown): Promise<Uint8Array | null> {
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof Blob) return new Uint8Array(await payload.arrayBuffer());
  if (typeof payload === 'string') return new TextEncoder().encode(payload);
  return null;
}
