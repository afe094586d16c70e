import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import type {
  NewWatchedFolder,
  WatchedFolderSettings,
  WatchedFolderUpdate,
} from '../../../preload/shared/contract.ts';
import { afterUploadActions, watchedFolderDefaults } from '../../../preload/shared/contract.ts';
import { errorCode } from '../files/inspect-file.ts';

/** A request about watched folders that cannot be done, in words for the person. */
export class WatchRequestError extends Error {
  readonly reason: 'invalid-request' | 'unknown-account';

  constructor(reason: WatchRequestError['reason'], message: string) {
    super(message);
    this.name = 'WatchRequestError';
    this.reason = reason;
  }
}

const invalid = (message: string): WatchRequestError =>
  new WatchRequestError('invalid-request', message);

/**
 * A new folder's settings, complete and checked. The path is made absolute and real (a link to
 * a folder watches the folder); a path that does not exist yet is allowed unless `mustExist`:
 * it may be a drive that is not connected now, and the folder shows as missing until it is.
 */
export function newFolderSettings(request: NewWatchedFolder): WatchedFolderSettings {
  if (!isAbsolute(request.path))
    throw invalid(`Name the folder by its full path, not "${request.path}".`);
  const settings: WatchedFolderSettings = {
    path: realFolder(resolve(request.path), request.mustExist === true),
    target: request.target,
    include: request.include ?? watchedFolderDefaults.include,
    exclude: request.exclude ?? watchedFolderDefaults.exclude,
    recursive: request.recursive ?? watchedFolderDefaults.recursive,
    afterUpload: request.afterUpload ?? watchedFolderDefaults.afterUpload,
    moveTo: request.moveTo ?? watchedFolderDefaults.moveTo,
    poll: request.poll ?? watchedFolderDefaults.poll,
    paused: request.paused ?? watchedFolderDefaults.paused,
    skipAttachedContent: request.skipAttachedContent ?? watchedFolderDefaults.skipAttachedContent,
  };
  return checked(settings);
}

export function changedSettings(
  current: WatchedFolderSettings,
  update: WatchedFolderUpdate,
): WatchedFolderSettings {
  const changes = Object.fromEntries(
    Object.entries(update.changes).filter(([, value]) => value !== undefined),
  );
  return checked({ ...current, ...changes, path: current.path });
}

function checked(settings: WatchedFolderSettings): WatchedFolderSettings {
  for (const pattern of [...settings.include, ...settings.exclude]) {
    if (pattern.trim() === '' || /[\\/]/.test(pattern)) {
      throw invalid(`"${pattern}" is not a file-name pattern: use names like *.pdf or scan-*.`);
    }
  }
  if (!afterUploadActions.includes(settings.afterUpload)) {
    throw invalid(`After upload is one of ${afterUploadActions.join(', ')}.`);
  }
  return { ...settings, moveTo: checkedSubfolder(settings.moveTo) };
}

/** The after-upload subfolder: a relative path inside the watched folder. */
function checkedSubfolder(moveTo: string): string {
  const cleaned = normalize(moveTo.trim()).replace(/[\\/]+$/, '');
  const parts = cleaned.split(/[\\/]+/);
  if (cleaned === '' || cleaned === '.' || isAbsolute(cleaned) || parts.includes('..')) {
    throw invalid(`"${moveTo}" must name a subfolder inside the watched folder, like uploaded.`);
  }
  return parts.join(sep);
}

function realFolder(path: string, mustExist: boolean): string {
  try {
    if (!statSync(path).isDirectory()) throw invalid(`${path} is a file; watch a folder.`);
    return realpathSync(path);
  } catch (error) {
    if (error instanceof WatchRequestError) throw error;
    const absent = errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR';
    if (absent && mustExist) {
      throw invalid(`There is no folder at ${path}. Check the path for typos.`);
    }
    if (errorCode(error) === 'ENOENT') return path;
    throw invalid(`${path} cannot be watched: ${error instanceof Error ? error.message : ''}`);
  }
}
