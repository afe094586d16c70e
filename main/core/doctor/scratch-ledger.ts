import { join } from 'node:path';
import { z } from 'zod';
import { readOptionalFile, writeFileAtomic } from '../auth/atomic-file.ts';

/** What a connection check is about to make, or made, on one account's service. */
const scratchRunSchema = z.object({
  accountId: z.string(),
  graphUrl: z.string(),
  /** The list its scratch tasks go into: the account's default list. */
  listId: z.string(),
  startedAt: z.number(),
  /** Upload sessions it opened (recorded the moment their URL is known). */
  sessions: z.array(z.string()),
});
export type ScratchRun = z.infer<typeof scratchRunSchema>;

const ledgerSchema = z.object({ runs: z.array(scratchRunSchema) });

export const scratchLedgerPath = (dataDir: string): string => join(dataDir, 'doctor-scratch.json');

/**
 * The data folder's record of what connection checks made on the service, written before each
 * thing is made: a check stopped by Ctrl-C, a crash or a power cut leaves its record behind, and
 * the next check cleans up what it names before it starts.
 */
export class ScratchLedger {
  readonly #path: string;
  /** Writes one after the other: two quick records must not race to rename over each other. */
  #writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.#path = scratchLedgerPath(dataDir);
  }

  /** The unfinished runs on this account's service; an unreadable record counts as none. */
  async runsOf(accountId: string, graphUrl: string): Promise<ScratchRun[]> {
    const runs = await this.#read();
    return runs.filter((run) => run.accountId === accountId && run.graphUrl === graphUrl);
  }

  begin(run: Omit<ScratchRun, 'sessions'>): Promise<void> {
    return this.#update((runs) => [...runs, { ...run, sessions: [] }]);
  }

  addSession(run: Pick<ScratchRun, 'accountId' | 'startedAt'>, uploadUrl: string): Promise<void> {
    return this.#update((runs) =>
      runs.map((entry) =>
        isRun(entry, run) ? { ...entry, sessions: [...entry.sessions, uploadUrl] } : entry,
      ),
    );
  }

  /** The run's things are gone from the service: forget it. */
  finish(run: Pick<ScratchRun, 'accountId' | 'startedAt'>): Promise<void> {
    return this.#update((runs) => runs.filter((entry) => !isRun(entry, run)));
  }

  async #read(): Promise<ScratchRun[]> {
    const bytes = await readOptionalFile(this.#path);
    if (bytes === null) return [];
    try {
      const parsed = ledgerSchema.safeParse(JSON.parse(bytes.toString('utf8')));
      return parsed.success ? parsed.data.runs : [];
    } catch {
      return [];
    }
  }

  #update(change: (runs: ScratchRun[]) => ScratchRun[]): Promise<void> {
    const next = this.#writing.then(async () => {
      const runs = change(await this.#read());
      await writeFileAtomic(this.#path, Buffer.from(`${JSON.stringify({ runs }, null, 2)}\n`));
    });
    this.#writing = next.catch(() => undefined);
    return next;
  }
}

function isRun(entry: ScratchRun, run: Pick<ScratchRun, 'accountId' | 'startedAt'>): boolean {
  return entry.accountId === run.accountId && entry.startedAt === run.startedAt;
}
