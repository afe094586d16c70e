/** The live check's probes of the service's limits: the size cap, empty files, the page size. */
import type { FactFinding } from '../../../preload/shared/contract.ts';
import { maxAttachmentBytes } from '../../../preload/shared/limits.ts';
import { isGraphError } from '../graph/errors.ts';
import { field, isJsonObject, parseJsonObject } from '../graph/parse.ts';
import { decimalSizeLimit } from '../upload/impossible-files.ts';
import { forEachLimited } from '../watch/limited.ts';
import { finding } from './facts.ts';
import { patiently } from './patiently.ts';
import { isRefusal, probeConcurrency, refused, scratchTitle, type Probe } from './probe-context.ts';

/** The two readings of the documented "25 MB" (docs/graph-unknowns.md §2). */
const sizeCaps = { mebibytes: maxAttachmentBytes, million: decimalSizeLimit } as const;
/** A page of tasks can only show its size with more tasks than the smallest page seen (50). */
const pageProbeTasks = 51;

/**
 * The cap by sessions opened and deleted again, no byte sent: 26,214,400 taken and one more
 * refused, or else the same at 25,000,000 (the two readings of "25 MB", docs/graph-unknowns.md §2).
 */
export async function probeSizeLimit(probe: Probe): Promise<FactFinding> {
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

export async function probeEmptyInline(probe: Probe): Promise<FactFinding> {
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
export async function probePageSize(probe: Probe): Promise<FactFinding> {
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
