import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import type { DesktopPlatform } from '../../../preload/shared/accelerator.ts';
import type { PastedClipboard } from '../../../preload/shared/contract.ts';
import { fileUrlToPath } from './file-lists.ts';

/** More lines than a person copies as paths: such a text is prose or data, not a list of files. */
const maxPathLines = 1_000;

/** One line as a path: quoted ("Copy as path" on Windows), a file URL, `~/…`; null if none. */
function pathOfLine(line: string, platform: DesktopPlatform, home: string): string | null {
  const unquoted = /^(["'])(.*)\1$/.exec(line)?.[2] ?? line;
  if (/^file:/i.test(unquoted)) return fileUrlToPath(unquoted, platform);
  if (platform === 'win32') {
    return win32.isAbsolute(unquoted) && /^([a-z]:[\\/]|\\\\)/i.test(unquoted) ? unquoted : null;
  }
  if (unquoted === '~' || unquoted.startsWith('~/')) return posix.join(home, unquoted.slice(1));
  return posix.isAbsolute(unquoted) ? unquoted : null;
}

/**
 * The paths a pasted text names: each of its lines must be one (absolute, a file URL, or
 * under `~`), or the text is not a list of files and this answers none.
 */
export function pathsInText(text: string, platform: DesktopPlatform, home: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0 || lines.length > maxPathLines) return [];
  const paths: string[] = [];
  for (const line of lines) {
    const path = pathOfLine(line, platform, home);
    if (path === null) return [];
    paths.push(path);
  }
  return [...new Set(paths)];
}

export const nothingToAttach =
  'The clipboard holds nothing to attach. Copy a file, an image or the path of a file, then paste again.';

const isFile = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => null))?.isFile() === true;

/** What a pasted text gives: the existing files it names, or why there are none. */
export async function filesNamedBy(
  text: string,
  options: {
    platform: DesktopPlatform;
    home?: string;
    isFile?: (path: string) => Promise<boolean>;
  },
): Promise<PastedClipboard> {
  const paths = pathsInText(text, options.platform, options.home ?? homedir());
  if (paths.length === 0) {
    return {
      kind: 'nothing',
      message:
        text.trim() === ''
          ? nothingToAttach
          : 'The clipboard holds text, not a file. Copy a file, an image or the path of a file, then paste again.',
    };
  }
  const check = options.isFile ?? isFile;
  const found = (
    await Promise.all(paths.map(async (path) => ((await check(path)) ? path : null)))
  ).filter((path) => path !== null);
  if (found.length > 0) return { kind: 'files', paths: found };
  return {
    kind: 'nothing',
    message:
      paths.length === 1
        ? `${paths[0]} is not a file on this computer (moved, deleted, or a folder).`
        : `None of the ${paths.length} pasted paths is a file on this computer (moved, deleted, or folders).`,
  };
}
