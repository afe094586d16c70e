import { fileURLToPath } from 'node:url';
import type { DesktopPlatform } from '../../../preload/shared/accelerator.ts';

/**
 * Files copied in a file manager, as each OS puts them on the clipboard: pure readers of those
 * formats (main/app reads the bytes through Electron's clipboard and hands them here).
 */

/** The clipboard formats that carry copied files, most complete first, per OS. */
export const fileListFormats: Readonly<Record<DesktopPlatform, readonly string[]>> = {
  // GNOME Files, Nemo, Caja: "copy" or "cut", then one URI a line; KDE and others: a URI list.
  linux: ['x-special/gnome-copied-files', 'text/uri-list'],
  // Explorer: a DROPFILES structure with every path; FileNameW holds only the first.
  win32: ['CF_HDROP', 'FileNameW'],
  // Finder: a property list of every path; public.file-url holds one URL.
  darwin: ['NSFilenamesPboardType', 'public.file-url'],
};

/** The paths in the bytes of one of `fileListFormats`; empty when they hold none. */
export function pathsInFormat(
  format: string,
  bytes: Uint8Array,
  platform: DesktopPlatform,
): string[] {
  switch (format) {
    case 'x-special/gnome-copied-files':
      return parseGnomeCopiedFiles(utf8(bytes), platform);
    case 'text/uri-list':
      return parseUriList(utf8(bytes), platform);
    case 'CF_HDROP':
      return parseDropFiles(bytes);
    case 'FileNameW':
      return parseFileNameW(bytes);
    case 'NSFilenamesPboardType':
      return parseFilenamesPlist(utf8(bytes));
    case 'public.file-url':
      return parseUriList(utf8(bytes).replaceAll('\0', '\n'), platform);
    default:
      return [];
  }
}

const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A `file:` URL as a path of this OS; null for any other URL or a malformed one. */
export function fileUrlToPath(url: string, platform: DesktopPlatform): string | null {
  if (!/^file:/i.test(url)) return null;
  try {
    return fileURLToPath(url, { windows: platform === 'win32' });
  } catch {
    return null;
  }
}

/** RFC 2483's text/uri-list: one URI a line, `#` lines are comments; only file URIs count. */
export function parseUriList(text: string, platform: DesktopPlatform): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => {
      const path = fileUrlToPath(line, platform);
      return path === null ? [] : [path];
    });
}

/** GNOME's x-special/gnome-copied-files: "copy" or "cut" on the first line, then URIs. */
export function parseGnomeCopiedFiles(text: string, platform: DesktopPlatform): string[] {
  const [action, ...uris] = text.split(/\r?\n/);
  if (action?.trim() !== 'copy' && action?.trim() !== 'cut') return [];
  return parseUriList(uris.join('\n'), platform);
}

/**
 * Windows' CF_HDROP: a DROPFILES header (pFiles, the offset of the list; pt; fNC; fWide, the
 * list is UTF-16LE), then the paths, each ended by a NUL, the list by a second NUL.
 */
export function parseDropFiles(bytes: Uint8Array): string[] {
  const headerBytes = 20;
  if (bytes.length < headerBytes) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = view.getUint32(0, true);
  const wide = view.getUint32(16, true) !== 0;
  if (offset < headerBytes || offset > bytes.length) return [];
  const list = bytes.subarray(offset);
  const text = wide ? new TextDecoder('utf-16le').decode(evenLength(list)) : latin1(list);
  const end = text.indexOf('\0\0');
  return (end === -1 ? text : text.slice(0, end)).split('\0').filter((path) => path !== '');
}

/** Windows' FileNameW: one path in UTF-16LE, ended by a NUL. */
export function parseFileNameW(bytes: Uint8Array): string[] {
  const text = new TextDecoder('utf-16le').decode(evenLength(bytes));
  const path = text.split('\0')[0] ?? '';
  return path === '' ? [] : [path];
}

const evenLength = (bytes: Uint8Array): Uint8Array => bytes.subarray(0, bytes.length & ~1);
/** The ANSI code page, read as Windows-1252 (what most Western systems use). */
const latin1 = (bytes: Uint8Array): string => new TextDecoder('windows-1252').decode(bytes);

const xmlEntities: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code =
        entity[1]?.toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return xmlEntities[entity] ?? whole;
  });
}

/** macOS's NSFilenamesPboardType: an XML property list, an array of path strings. */
export function parseFilenamesPlist(text: string): string[] {
  const array = /<array>([\s\S]*?)<\/array>/.exec(text)?.[1];
  if (array === undefined) return [];
  return [...array.matchAll(/<string>([\s\S]*?)<\/string>/g)]
    .map((match) => decodeXml(match[1] ?? ''))
    .filter((path) => path.startsWith('/'));
}

/** MIME types Electron's clipboard maps to names of its own; any other format is raw. */
const mimeFormats = new Set(['image/png', 'text/plain', 'text/uri-list']);

/**
 * The types under which Electron's clipboard may offer a format: a MIME type as itself, a raw
 * OS format (`CF_HDROP`, `public.file-url`) as `electron application/osclipboard;format="…"`.
 */
export function electronTypesOf(format: string): string[] {
  const raw = `electron application/osclipboard;format="${format}"`;
  return mimeFormats.has(format) ? [format, raw] : [raw];
}
