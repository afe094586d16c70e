import type { Stats } from 'node:fs';
import { basename, sep } from 'node:path';
import { compileGlob, isTemporaryName, nameFilter } from './patterns.ts';

export interface FolderRuleSettings {
  path: string;
  include: readonly string[];
  exclude: readonly string[];
  recursive: boolean;
  moveTo: string;
}

/**
 * Which paths under a watched folder are its files: the name rules, subfolders only when
 * recursive, and never the after-upload subfolder (where files go once attached), nor hidden or
 * temporary folders.
 */
export class FolderRules {
  readonly #root: string;
  readonly #recursive: boolean;
  readonly #moveTo: string;
  readonly #wantsName: (name: string) => boolean;
  readonly #dotIncluded: (name: string) => boolean;

  constructor(settings: FolderRuleSettings) {
    this.#root = settings.path.endsWith(sep) ? settings.path.slice(0, -1) : settings.path;
    this.#recursive = settings.recursive;
    this.#moveTo = settings.moveTo
      .split(/[\\/]+/)
      .filter(Boolean)
      .join(sep);
    this.#wantsName = nameFilter(settings);
    const dotPatterns = settings.include.filter((p) => p.startsWith('.')).map(compileGlob);
    this.#dotIncluded = (name) => dotPatterns.some((matches) => matches(name));
  }

  /** `path` (absolute, under the root) is a file this folder uploads, going by its name. */
  wantsFile(path: string): boolean {
    const rel = this.#relative(path);
    if (rel === '' || rel === '..') return false;
    const parts = rel.split(sep);
    const dirs = parts.slice(0, -1);
    if (dirs.length > 0 && !this.#recursive) return false;
    if (this.#insideMoveTo(rel) || dirs.some((dir) => isTemporaryName(dir))) return false;
    return this.#wantsName(parts[parts.length - 1] ?? '');
  }

  /** A folder under the root whose contents are never looked at. */
  skipsDir(path: string): boolean {
    const rel = this.#relative(path);
    if (rel === '') return false;
    if (!this.#recursive || this.#insideMoveTo(rel)) return true;
    return rel.split(sep).some((dir) => isTemporaryName(dir));
  }

  /** chokidar's `ignored`: it may ask with the path alone first, then again with stats. */
  ignored(path: string, stats?: Stats): boolean {
    const rel = this.#relative(path);
    if (rel === '' || rel === '..') return false;
    if (stats?.isFile() === true) return !this.wantsFile(path);
    if (stats?.isDirectory() === true) return this.skipsDir(path);
    const name = basename(path);
    return this.#insideMoveTo(rel) || (isTemporaryName(name) && !this.#dotIncluded(name));
  }

  /** The path below the root; '' for the root, '..' for anything outside it. */
  #relative(path: string): string {
    if (path === this.#root) return '';
    return path.startsWith(`${this.#root}${sep}`) ? path.slice(this.#root.length + 1) : '..';
  }

  #insideMoveTo(rel: string): boolean {
    return rel === this.#moveTo || rel.startsWith(`${this.#moveTo}${sep}`);
  }
}
