import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from './model.ts';

const stateFile = (dataDir: string): string => join(dataDir, 'state.json');

export function loadSnapshot(dataDir: string): Snapshot | undefined {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return undefined;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  if (snapshot.format !== 1) throw new Error(`${file}: unknown simulator state format`);
  return snapshot;
}

/** Written whole to a temporary file and renamed over the old one, so a crash never halves it. */
export function saveSnapshot(dataDir: string, snapshot: Snapshot): void {
  mkdirSync(dataDir, { recursive: true });
  const file = stateFile(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(snapshot));
  renameSync(temporary, file);
}
