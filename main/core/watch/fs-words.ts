import { errorCode } from '../files/inspect-file.ts';

const words: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'the system does not allow it',
  EBUSY: 'it is in use by another program',
  ENOENT: 'it is not there (any more)',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'the disk is full, or the system’s limit on watched folders is reached',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EROFS: 'the drive is read-only',
  EXDEV: 'it is on another drive',
  EIO: 'the drive reported an input/output error',
  ETIMEDOUT: 'the network drive did not answer',
  EHOSTDOWN: 'the network drive is not reachable',
};

/** A file-system error in plain words, for a folder's "last error". */
export function fsWords(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined && words[code] !== undefined) return words[code];
  if (error instanceof Error && error.message !== '') return error.message;
  return String(error);
}
