/**
 * File-name rules of a watched folder: the person's include/exclude globs, and the names that
 * are never a finished file (downloads in progress, editor locks, OS litter).
 */

/** `*` any run of characters, `?` one character; the rest is literal; case-insensitive. */
export function compileGlob(pattern: string): (name: string) => boolean {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  // `u`: one `?` is one character, also outside the BMP; `s`: file names may hold newlines.
  const regex = new RegExp(`^${source}$`, 'isu');
  return (name) => regex.test(name);
}

/** Endings of files that are still arriving or are someone's scratch copy. */
const partialSuffixes = [
  '.crdownload',
  '.part',
  '.partial',
  '.download',
  '.opdownload',
  '.filepart',
  '.tmp',
  '.temp',
  '.swp',
  '.swx',
  '.!qb',
  '~',
];

const litterNames = new Set(['thumbs.db', 'desktop.ini', 'icon\r']);

/**
 * A name that is never a finished file of the person's: partial downloads, Office owner files
 * (`~$x.docx`), LibreOffice locks (`.~lock.x#`), `.DS_Store`, and, unless `allowHidden`,
 * every dotfile.
 */
export function isTemporaryName(name: string, allowHidden = false): boolean {
  const lower = name.toLowerCase();
  if (lower.startsWith('~$') || lower.startsWith('.~lock.') || lower === '.ds_store') return true;
  if (litterNames.has(lower)) return true;
  if (partialSuffixes.some((suffix) => lower.endsWith(suffix))) return true;
  return name.startsWith('.') && !allowHidden;
}

export interface NameRules {
  include: readonly string[];
  exclude: readonly string[];
}

/**
 * Whether a file of this name belongs to the folder's uploads. A dotfile is taken only when an
 * include pattern that itself starts with a dot names it: that is how a person asks for one.
 */
export function nameFilter(rules: NameRules): (name: string) => boolean {
  const include = rules.include.map(compileGlob);
  const exclude = rules.exclude.map(compileGlob);
  const dotIncludes = rules.include.filter((p) => p.startsWith('.')).map(compileGlob);
  return (name) => {
    const hidden = name.startsWith('.') && dotIncludes.some((matches) => matches(name));
    if (isTemporaryName(name, hidden)) return false;
    if (include.length > 0 && !include.some((matches) => matches(name))) return false;
    return !exclude.some((matches) => matches(name));
  };
}
