import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export interface SmallDisk {
  path: string;
  /** Runs a command that must succeed (a remount, for example). */
  run(args: string[]): void;
  /** Fills what is left of the disk, to the last block. */
  fill(): void;
  unmount(): void;
}

/**
 * A small tmpfs of its own in `parent` (root only): a disk that fills, and a folder that becomes
 * read-only for root too (chmod does not stop root). Null, with the reason printed, where none
 * mounts.
 */
export function smallDisk(parent: string, name: string, sizeKb: number): SmallDisk | null {
  const path = join(parent, name);
  mkdirSync(path);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', path]);
  if (mounted.status !== 0) {
    console.log(
      `skipped: cannot mount a tmpfs (${mounted.error?.message ?? mounted.stderr.toString().trim()})`,
    );
    return null;
  }
  return {
    path,
    run: (args) => expect(spawnSync(args[0]!, args.slice(1)).status).toBe(0),
    fill: () => void spawnSync('dd', ['if=/dev/zero', `of=${join(path, 'filler')}`, 'bs=4k']),
    unmount: () => void spawnSync('umount', ['-l', path]),
  };
}
