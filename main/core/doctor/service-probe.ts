/**
 * `taskdrop doctor --live` and "Check the connection with To Do": the facts of
 * docs/graph-unknowns.md §1–§4 probed on the real service, with one scratch task in the default
 * list and a few bytes. Sessions for the size probes are opened and deleted without a byte sent.
 * Everything made is recorded (ScratchLedger) before it is made and deleted at the end, also
 * when the run is stopped; a crashed run's things are deleted by the next run.
 */
import type { ConnectionReport } from '../../../preload/shared/contract.ts';
import { serviceFactIds } from '../../../preload/shared/contract.ts';
import { untold } from './facts.ts';
import { probeEmptyInline, probePageSize, probeSizeLimit } from './limit-probes.ts';
import { patiently } from './patiently.ts';
import {
  scratchTitle,
  type Findings,
  type LearnedFacts,
  type Probe,
  type ServiceProbeOptions,
} from './probe-context.ts';
import { cleanUp, cleanUpEarlierRuns } from './scratch-cleanup.ts';
import type { ScratchRun } from './scratch-ledger.ts';
import { probeUploadSession } from './upload-session-probe.ts';

export { scratchTitle, type LearnedFacts, type ServiceProbeOptions };

export interface ServiceCheck {
  report: ConnectionReport;
  learned: LearnedFacts;
}

export async function probeService(options: ServiceProbeOptions): Promise<ServiceCheck> {
  const { account, graph, ledger, now, signal } = options;
  const at = now();
  const leftovers = await cleanUpEarlierRuns(options);
  const lists = await patiently(signal, () => graph.listLists({ signal }));
  const list = lists.find((candidate) => candidate.wellknownListName === 'defaultList') ?? lists[0];
  if (list === undefined) throw new Error('This account has no To Do list to check with.');
  const run: ScratchRun = {
    accountId: account.id,
    graphUrl: account.graphUrl,
    listId: list.id,
    startedAt: at,
    sessions: [],
  };
  await ledger.begin(run);
  const findings: Findings = {};
  const learned: LearnedFacts = {};
  try {
    const task = await patiently(signal, () =>
      graph.createTask(list.id, { title: scratchTitle }, { signal }),
    );
    const probe: Probe = { ...options, run, taskId: task.id, learned };
    Object.assign(findings, await probeUploadSession(probe));
    findings['size-limit'] = await probeSizeLimit(probe);
    findings['empty-inline'] = await probeEmptyInline(probe);
    findings['page-size'] = await probePageSize(probe);
  } finally {
    leftovers.push(...(await cleanUp(options, run)));
  }
  const report = {
    accountId: account.id,
    accountLabel: account.label,
    graphUrl: account.graphUrl,
    at,
    findings: serviceFactIds.map(
      (fact) => findings[fact] ?? untold(fact, 'an earlier step failed'),
    ),
    leftovers,
  };
  return { report, learned };
}
