/**
 * `taskdrop doctor --live` and "Check the connection with To Do": the facts of
 * docs/graph-unknowns.md §1–§4 probed on the real service, with one scratch task in the default
 * list and a few bytes. Sessions for the size probes are opened and deleted without a byte sent.
 * Everything made is recorded (ScratchLedger) before it is made and deleted at the end, also
 * when the run is stopped; a crashed run's things are deleted by the next run.
 */
import type { ConnectionReport, FactFinding, ServiceFactId } from '../../../preload/contract.ts';
import { serviceFactIds } from '../../../preload/contract.ts';
import type { AccountConfig } from '../engine/accounts.ts';
import { maxAttachmentBytes } from '../files/inspect-file.ts';
import type { GraphClient } from '../graph/client.ts';
import { isGraphError } from '../graph/errors.ts';
import { field, isJsonObject, nextOffset, parseJsonObject } from '../graph/parse.ts';
import type { GraphTransport } from '../graph/transport.ts';
import { attachmentIdFromLocation, uploadContentUrl } from '../graph/urls.ts';
import { forEachLimited } from '../watch/limited.ts';
import type { FactId, FactValue } from '../queue/service-knowledge.ts';
import { decimalSizeLimit } from '../upload/impossible-files.ts';
import { evidenceOf, finding, refusalText, untold } from './facts.ts';
import type { ScratchLedger, ScratchRun } from './scratch-ledger.ts';

export const scratchTitle = 'taskdrop self-check — safe to delete';
const probeFileName = 'taskdrop-self-check.bin';
/** Bytes of the probe upload: two ranges of ten. */
const probeSize = 20;
/** The two readings of the documented "25 MB" (docs/graph-unknowns.md §2). */
const sizeCaps = { mebibytes: maxAttachmentBytes, million: decimalSizeLimit } as const;
/** A page of tasks can only show its size with more tasks than the smallest page seen (50). */
const pageProbeTasks = 51;
/**
 * Requests at once for the many small ones (scratch tasks): the mailbox allows 4
 * (docs/upload-rules.md rule 6).
 */
const probeConcurrency = 3;

export interface ServiceProbeOptions {
  account: AccountConfig;
  graph: GraphClient;
  /** The same account's requests, unparsed: casing and paging are in the raw answers. */
  transport: GraphTransport;
  ledger: ScratchLedger;
  now: () => number;
  signal?: AbortSignal;
}

interface Probe extends ServiceProbeOptions {
  run: ScratchRun;
  taskId: string;
  learned: LearnedFacts;
}

type Findings = Partial<Record<ServiceFactId, FactFinding>>;

/**
 * What the check settled, as the engine's knowledge store keeps it (docs/upload-rules.md rule 11).
 */
export type LearnedFacts = { [F in FactId]?: FactValue<F> };

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

async function cleanUpEarlierRuns(options: ServiceProbeOptions): Promise<string[]> {
  const earlier = await options.ledger.runsOf(options.account.id, options.account.graphUrl);
  const leftovers: string[] = [];
  for (const run of earlier) leftovers.push(...(await cleanUp(options, run)));
  return leftovers;
}

/**
 * Deletes the run's sessions and every scratch task in its list (which takes their attachments
 * with them), without the caller's signal: a stopped check still cleans up. What cannot be
 * deleted is named; the record stays, so the next run tries again.
 */
async function cleanUp(options: ServiceProbeOptions, run: ScratchRun): Promise<string[]> {
  const { graph } = options;
  const recorded = (await options.ledger.runsOf(run.accountId, run.graphUrl)).find(
    (entry) => entry.startedAt === run.startedAt,
  );
  const leftovers: string[] = [];
  // The size probes' sessions were deleted already: they answer 404, taken as gone.
  for (const uploadUrl of recorded?.sessions ?? []) {
    try {
      await patiently(undefined, () => graph.deleteUploadSession(uploadUrl));
    } catch (error) {
      // Sessions that cannot be addressed (no session GET, no DELETE) still die with their task.
      if (!isGraphError(error) || error.kind !== 'permanent')
        leftovers.push(`an upload session (${evidenceOf(error)})`);
    }
  }
  try {
    const tasks = await patiently(undefined, () => graph.listTasks(run.listId));
    const scratch = tasks.filter((candidate) => candidate.title === scratchTitle);
    await forEachLimited(scratch, probeConcurrency, (task) =>
      deleteTask(graph, run.listId, task.id),
    );
  } catch (error) {
    leftovers.push(`the task “${scratchTitle}” (${evidenceOf(error)})`);
  }
  if (leftovers.length === 0) await options.ledger.finish(run);
  return leftovers;
}

async function deleteTask(graph: GraphClient, listId: string, taskId: string): Promise<void> {
  try {
    await patiently(undefined, () => graph.deleteTask(listId, taskId));
  } catch (error) {
    if (!isGraphError(error) || error.kind !== 'not-found') throw error;
  }
}

const factsAfterFirstRange = [
  'intermediate-casing',
  'session-get',
  'session-list',
  'resend-answer',
  'location-header',
] as const satisfies readonly ServiceFactId[];

/** One small upload, watched step by step: casing, session GET and list, resend, Location. */
async function probeUploadSession(probe: Probe): Promise<Findings> {
  const { graph, run, taskId, signal } = probe;
  const session = await patiently(signal, () =>
    graph.createUploadSession(
      run.listId,
      taskId,
      { name: probeFileName, size: probeSize, contentType: 'application/octet-stream' },
      { signal },
    ),
  );
  await probe.ledger.addSession(run, session.uploadUrl);
  const findings: Findings = {
    'session-lifetime': lifetimeFinding(session.expiresAt, probe.now()),
  };
  const bytes = Uint8Array.from({ length: probeSize }, (_, index) => index);
  const first = await putRange(probe, session.uploadUrl, bytes, 0, 10);
  if (first.kind === 'refused') {
    const reason = `the first range was refused (${first.text})`;
    for (const fact of factsAfterFirstRange) findings[fact] = untold(fact, reason);
    return findings;
  }
  findings['intermediate-casing'] = casingFinding(first.body, probe.learned);
  findings['session-get'] = await sessionGetFinding(probe, session.uploadUrl);
  findings['session-list'] = await sessionListFinding(probe);
  findings['resend-answer'] = resendFinding(
    await putRange(probe, session.uploadUrl, bytes, 0, 10),
    probe.learned,
  );
  findings['location-header'] = await locationFinding(
    probe,
    await putRange(probe, session.uploadUrl, bytes, 10, probeSize),
  );
  return findings;
}

type RangeAnswer =
  | { kind: 'accepted'; status: number; body: string; location: string | null }
  | { kind: 'refused'; error: unknown; text: string };

async function putRange(
  probe: Probe,
  uploadUrl: string,
  bytes: Uint8Array,
  start: number,
  end: number,
): Promise<RangeAnswer> {
  const { signal } = probe;
  try {
    const answer = await patiently(signal, () =>
      probe.transport.send({
        operation: 'uploadRange',
        method: 'PUT',
        url: uploadContentUrl(uploadUrl),
        bytes: bytes.slice(start, end),
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${start}-${end - 1}/${bytes.byteLength}`,
        },
        signal,
        unreadBodyStatus: 201,
      }),
    );
    return {
      kind: 'accepted',
      status: answer.status,
      body: answer.bodyText,
      location: answer.headers.get('location'),
    };
  } catch (error) {
    if (!isGraphError(error) || error.status === null) throw error;
    return { kind: 'refused', error, text: refusalText(error) };
  }
}

function lifetimeFinding(expiresAt: number | null, now: number): FactFinding {
  if (expiresAt === null) return finding('session-lifetime', 'no expirationDateTime given', false);
  const minutes = Math.round((expiresAt - now) / 60_000);
  return finding('session-lifetime', `${minutes} minutes`, Math.abs(minutes - 15) <= 1);
}

function casingFinding(bodyText: string, learned: LearnedFacts): FactFinding {
  const body = parseJsonObject(bodyText);
  const keys = body === null ? [] : Object.keys(body);
  if (keys.includes('NextExpectedRanges')) {
    learned['intermediate-casing'] = 'pascal';
    return finding('intermediate-casing', 'PascalCase (NextExpectedRanges)', true);
  }
  if (keys.includes('nextExpectedRanges')) {
    learned['intermediate-casing'] = 'camel';
    return finding('intermediate-casing', 'camelCase (nextExpectedRanges)', false);
  }
  return finding(
    'intermediate-casing',
    `no next expected ranges (keys: ${keys.join(', ') || 'none'})`,
    false,
  );
}

async function sessionGetFinding(probe: Probe, uploadUrl: string): Promise<FactFinding> {
  const { signal } = probe;
  try {
    const state = await patiently(signal, () =>
      probe.graph.getUploadSession(uploadUrl, { signal }),
    );
    const offset = nextOffset(state.nextExpectedRanges);
    probe.learned['session-get'] = 'supported';
    return finding(
      'session-get',
      offset === null ? '200 without nextExpectedRanges' : `200 with nextExpectedRanges ${offset}-`,
      offset === 10,
    );
  } catch (error) {
    if (isRefusal(error)) probe.learned['session-get'] = 'unsupported';
    return refused('session-get', error);
  }
}

async function sessionListFinding(probe: Probe): Promise<FactFinding> {
  const { signal, run, taskId } = probe;
  try {
    const ids = await patiently(signal, () =>
      probe.graph.listUploadSessions(run.listId, taskId, { signal }),
    );
    probe.learned['session-list'] = 'supported';
    return finding('session-list', `200, ${ids.length} session(s) listed`, ids.length === 1);
  } catch (error) {
    if (isRefusal(error)) probe.learned['session-list'] = 'unsupported';
    return refused('session-list', error);
  }
}

function resendFinding(answer: RangeAnswer, learned: LearnedFacts): FactFinding {
  if (answer.kind === 'accepted')
    return finding('resend-answer', `accepted (${answer.status})`, false);
  const status = isGraphError(answer.error) ? answer.error.status : null;
  if (isRefusal(answer.error) && status !== null) learned['resend-answer'] = status;
  return finding(
    'resend-answer',
    `refused with ${answer.text}`,
    status === 416,
    evidenceOf(answer.error),
  );
}

async function locationFinding(probe: Probe, answer: RangeAnswer): Promise<FactFinding> {
  if (answer.kind === 'refused') return refused('location-header', answer.error);
  if (answer.status !== 201) return finding('location-header', `${answer.status}, not 201`, false);
  if (answer.location === null) {
    probe.learned['location-header'] = 'absent';
    return finding('location-header', '201 without Location', false);
  }
  probe.learned['location-header'] = 'present';
  const id = attachmentIdFromLocation(answer.location);
  const { signal, run, taskId } = probe;
  const attachments = await patiently(signal, () =>
    probe.graph.listAttachments(run.listId, taskId, { signal }),
  );
  const matches = attachments.some(
    (attachment) => attachment.id === id && attachment.size === probeSize,
  );
  return matches
    ? finding('location-header', '201, Location ends in the attachment id', true)
    : finding(
        'location-header',
        "201, Location's last segment is no attachment of the task",
        false,
        answer.location,
      );
}

/** A 4xx other than throttling or auth: the service says no to the request itself. */
function isRefusal(error: unknown): boolean {
  return (
    isGraphError(error) &&
    error.status !== null &&
    error.status >= 400 &&
    error.status < 500 &&
    error.kind !== 'throttled' &&
    error.kind !== 'auth'
  );
}

function refused(fact: ServiceFactId, error: unknown): FactFinding {
  if (!isGraphError(error) || error.status === null) throw error;
  return finding(fact, refusalText(error), false, evidenceOf(error));
}

/**
 * The cap by sessions opened and deleted again, no byte sent: 26,214,400 taken and one more
 * refused, or else the same at 25,000,000 (the two readings of "25 MB", docs/graph-unknowns.md §2).
 */
async function probeSizeLimit(probe: Probe): Promise<FactFinding> {
  const { mebibytes, million } = sizeCaps;
  const number = (value: number): string => value.toLocaleString('en-US');
  if (await sessionTaken(probe, mebibytes)) {
    return (await sessionTaken(probe, mebibytes + 1))
      ? finding('size-limit', `more than ${number(mebibytes)} bytes`, false)
      : settled(probe, mebibytes, finding('size-limit', `${number(mebibytes)} bytes`, true));
  }
  if (!(await sessionTaken(probe, million)))
    return finding('size-limit', `less than ${number(million)} bytes`, false);
  return (await sessionTaken(probe, million + 1))
    ? finding(
        'size-limit',
        `between ${number(million + 1)} and ${number(mebibytes - 1)} bytes`,
        false,
      )
    : settled(probe, million, finding('size-limit', `${number(million)} bytes`, false));
}

function settled(probe: Probe, limit: number, line: FactFinding): FactFinding {
  probe.learned['size-limit'] = limit;
  return line;
}

async function sessionTaken(probe: Probe, size: number): Promise<boolean> {
  const { graph, run, taskId, signal } = probe;
  let uploadUrl: string;
  try {
    const session = await patiently(signal, () =>
      graph.createUploadSession(
        run.listId,
        taskId,
        { name: 'taskdrop-self-check-size.bin', size, contentType: 'application/octet-stream' },
        { signal },
      ),
    );
    uploadUrl = session.uploadUrl;
  } catch (error) {
    if (isGraphError(error) && (error.status === 400 || error.status === 413)) return false;
    throw error;
  }
  await probe.ledger.addSession(run, uploadUrl);
  await patiently(signal, () => graph.deleteUploadSession(uploadUrl, { signal }));
  return true;
}

async function probeEmptyInline(probe: Probe): Promise<FactFinding> {
  const { graph, run, taskId, signal } = probe;
  try {
    const attachment = await patiently(signal, () =>
      graph.createSmallAttachment(
        run.listId,
        taskId,
        {
          name: 'taskdrop-self-check-empty.txt',
          contentType: 'text/plain',
          bytes: new Uint8Array(0),
        },
        { signal },
      ),
    );
    await patiently(signal, () =>
      graph.deleteAttachment(run.listId, taskId, attachment.id, { signal }),
    );
    probe.learned['empty-inline'] = 'accepted';
    return finding(
      'empty-inline',
      `201, a ${attachment.size}-byte attachment`,
      attachment.size === 0,
    );
  } catch (error) {
    if (isRefusal(error)) probe.learned['empty-inline'] = 'refused';
    return refused('empty-inline', error);
  }
}

/**
 * The default list's first page without $top. A page shows its size only when more tasks than
 * it holds exist, so up to 51 scratch tasks are added first (deleted with the rest).
 */
async function probePageSize(probe: Probe): Promise<FactFinding> {
  let page = await firstTaskPage(probe);
  if (page.nextLink === null && page.count < pageProbeTasks) {
    const missing = Array.from({ length: pageProbeTasks - page.count }, (_, index) => index);
    const { graph, run, signal } = probe;
    await forEachLimited(missing, probeConcurrency, async () => {
      await patiently(signal, () =>
        graph.createTask(run.listId, { title: scratchTitle }, { signal }),
      );
    });
    page = await firstTaskPage(probe);
  }
  if (page.nextLink !== null) {
    probe.learned['page-size'] = page.count;
    return finding('page-size', `${page.count} a page`, page.count === 100);
  }
  return finding('page-size', `all ${page.count} in one page`, page.count <= 100);
}

async function firstTaskPage(probe: Probe): Promise<{ count: number; nextLink: string | null }> {
  const { signal, run, account } = probe;
  const url = `${account.graphUrl.replace(/\/+$/, '')}/me/todo/lists/${encodeURIComponent(run.listId)}/tasks`;
  const answer = await patiently(signal, () =>
    probe.transport.send({ operation: 'listTasks', method: 'GET', url, signal }),
  );
  const body = parseJsonObject(answer.bodyText) ?? {};
  const items = field(body, 'value');
  const nextLink = field(body, '@odata.nextLink');
  return {
    count: Array.isArray(items) ? items.filter(isJsonObject).length : 0,
    nextLink: typeof nextLink === 'string' ? nextLink : null,
  };
}

const maxAttempts = 4;

/**
 * A call retried while it is throttled or the service is briefly unwell, waiting as told
 * (Retry-After) or 1, 2, 4 s (docs/upload-rules.md rule 5); anything else is the caller's to judge.
 */
async function patiently<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const passing =
        isGraphError(error) && (error.kind === 'throttled' || error.kind === 'transient');
      if (!passing || attempt === maxAttempts) throw error;
      await pause(error.retryAfterMs ?? 1_000 * 2 ** (attempt - 1), signal);
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, Math.min(ms, 30_000));
    function done(): void {
      signal?.removeEventListener('abort', stop);
      resolve();
    }
    function stop(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}
