/** What every step of the live check shares: the run, its scratch task, what it has learned. */
import type { FactFinding, ServiceFactId } from '../../../preload/shared/contract.ts';
import type { AccountConfig } from '../engine/accounts.ts';
import type { GraphClient } from '../graph/client.ts';
import { isGraphError } from '../graph/errors.ts';
import type { GraphTransport } from '../graph/transport.ts';
import type { FactId, FactValue } from '../queue/service-knowledge.ts';
import { evidenceOf, finding, refusalText } from './facts.ts';
import type { ScratchLedger, ScratchRun } from './scratch-ledger.ts';

export const scratchTitle = 'taskdrop self-check — safe to delete';
/**
 * Requests at once for the many small ones (scratch tasks): the mailbox allows 4
 * (docs/upload-rules.md rule 6).
 */
export const probeConcurrency = 3;

export interface ServiceProbeOptions {
  account: AccountConfig;
  graph: GraphClient;
  /** The same account's requests, unparsed: casing and paging are in the raw answers. */
  transport: GraphTransport;
  ledger: ScratchLedger;
  now: () => number;
  signal?: AbortSignal;
}

export interface Probe extends ServiceProbeOptions {
  run: ScratchRun;
  taskId: string;
  learned: LearnedFacts;
}

export type Findings = Partial<Record<ServiceFactId, FactFinding>>;

/**
 * What the check settled, as the engine's knowledge store keeps it (docs/upload-rules.md rule 11).
 */
export type LearnedFacts = { [F in FactId]?: FactValue<F> };

/** A 4xx other than throttling or auth: the service says no to the request itself. */
export function isRefusal(error: unknown): boolean {
  return (
    isGraphError(error) &&
    error.status !== null &&
    error.status >= 400 &&
    error.status < 500 &&
    error.kind !== 'throttled' &&
    error.kind !== 'auth'
  );
}

export function refused(fact: ServiceFactId, error: unknown): FactFinding {
  if (!isGraphError(error) || error.status === null) throw error;
  return finding(fact, refusalText(error), false, evidenceOf(error));
}
