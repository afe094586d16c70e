import type { Refusal } from '../../../preload/shared/contract.ts';
import type { Logger } from '../logging/logger.ts';
import type { WatchActivity } from '../watch/types.ts';
import type { AccountConfig } from './accounts.ts';

/** An account in a record: its id and kind, never its tokens (nor its name: ids suffice). */
export function accountFields(config: AccountConfig): Record<string, string> {
  return { account: config.id, kind: config.kind };
}

/** One record per batch, not per file: a watched-folder burst is thousands of files. */
export function logEnqueued(
  log: Logger,
  origin: string,
  accepted: number,
  refused: readonly Refusal[],
): void {
  if (accepted === 0 && refused.length === 0) return;
  const reasons: Record<string, number> = {};
  for (const refusal of refused) reasons[refusal.reason] = (reasons[refusal.reason] ?? 0) + 1;
  log.info('files queued', { origin, accepted, refused: refused.length, reasons });
}

/**
 * What a watched folder does that someone may ask about later: its state moving, its trouble,
 * files refused, and what happened to a local file after its upload.
 */
export function logWatchActivity(log: Logger, event: WatchActivity): void {
  const folder = event.folderId;
  switch (event.kind) {
    case 'state':
      log.info('watched folder state', { folder, state: event.state, why: event.why });
      return;
    case 'problem':
      log.warn('watched folder problem', { folder, why: event.why });
      return;
    case 'refused':
      log.info('watched file refused', { folder, file: event.path, why: event.why });
      return;
    case 'moved':
      log.info('watched file moved after upload', { folder, file: event.path, to: event.to });
      return;
    case 'deleted':
      log.info('watched file put in the trash after upload', { folder, file: event.path });
      return;
    case 'queued':
    case 'skipped':
    case 'attached':
    case 'failed':
      // The upload's own records say these (queued per batch, done or failed per job).
      return;
  }
}
