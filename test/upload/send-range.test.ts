/**
 * The upload attempt's named steps alone, over real HTTP to the simulator (in its variants) and
 * a real SQLite queue: what one `sendRange` comes to as a value, and the file guard's problems
 * as values (docs/upload-rules.md rules 3, 5 and 8).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  mkdtempSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../main/core/graph/client.ts';
import { openQueueDatabase } from '../../main/core/queue/database.ts';
import { JobStore } from '../../main/core/queue/job-store.ts';
import { ServiceKnowledge } from '../../main/core/queue/service-knowledge.ts';
import { AttemptContext } from '../../main/core/upload/attempt-context.ts';
import { FileGuard } from '../../main/core/upload/file-guard.ts';
import { sendRange, type Range } from '../../main/core/upload/send-range.ts';
import {
  startSimulator,
  type RunningSimulator,
  type VariantName,
} from '../../main/simulator/index.ts';

const rangeSize = 64 * 1024;

let dir: string;
let db: Database;
/** One simulator per set of variants, for the whole file: each test makes its own task. */
const sims = new Map<string, Promise<RunningSimulator>>();
const guards: FileGuard[] = [];

function simulatorFor(variants: VariantName[]): Promise<RunningSimulator> {
  const key = variants.join(',');
  const running = sims.get(key) ?? startSimulator({ variants });
  sims.set(key, running);
  return running;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-send-range-'));
  db = openQueueDatabase(dir);
});
afterEach(async () => {
  for (const guard of guards.splice(0)) await guard.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  for (const running of sims.values()) await (await running).close();
});

interface Upload {
  sim: RunningSimulator;
  context: AttemptContext;
  guard: FileGuard;
  store: JobStore;
  bytes: Buffer;
  path: string;
}

/** A queued file of two and a half ranges with its session open, as an attempt has it. */
async function openUpload(variants: VariantName[] = [], size = rangeSize * 2.5): Promise<Upload> {
  const sim = await simulatorFor(variants);
  const graph = new GraphClient({
    graphUrl: sim.graphUrl,
    getAccessToken: async () => sim.testToken,
  });
  const [list] = await graph.listLists();
  const task = await graph.createTask(list!.id, { title: 'send range' });
  const bytes = randomBytes(size);
  const path = join(dir, 'scan.bin');
  writeFileSync(path, bytes);
  const store = new JobStore(db);
  const [id] = store.insertMany([
    {
      sourcePath: path,
      fileName: 'scan.bin',
      contentType: 'application/octet-stream',
      size,
      mtimeMs: Math.trunc(statSync(path).mtimeMs),
      target: {
        accountId: 'token',
        listId: list!.id,
        taskId: task.id,
        listName: list!.displayName,
        taskTitle: task.title,
      },
    },
  ]);
  const context = new AttemptContext(store.require(id!), {
    store,
    graph,
    knowledge: new ServiceKnowledge(db).forAccount('token'),
    now: Date.now,
    signal: new AbortController().signal,
    rangeSize,
    smallUploadMaxBytes: 0,
    onProgress: () => undefined,
  });
  const guard = new FileGuard(context);
  guards.push(guard);
  expect(await guard.prepare()).toBeNull();
  const session = await graph.createUploadSession(list!.id, task.id, {
    name: 'scan.bin',
    size,
    contentType: 'application/octet-stream',
  });
  context.record({ protocol: 'session', uploadUrl: session.uploadUrl });
  return { sim, context, guard, store, bytes, path };
}

const rangeOf = (
  upload: Upload,
  offset: number,
  runningHash: Range['runningHash'] = null,
): Range => {
  const end = Math.min(offset + rangeSize, upload.bytes.length);
  return {
    offset,
    bytes: upload.bytes.subarray(offset, end),
    isLast: end === upload.bytes.length,
    runningHash,
  };
};

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const attachedTo = (upload: Upload) =>
  upload.sim.control.attachments().filter((a) => a.taskId === upload.context.job.target.taskId);

describe('sendRange', () => {
  for (const variants of [[], ['camel-case']] as VariantName[][]) {
    it(`advances to the server's next offset (${variants.join(',') || 'default'})`, async () => {
      const upload = await openUpload(variants);
      const outcome = await sendRange(upload.context, upload.guard, rangeOf(upload, 0));
      expect(outcome).toEqual({ kind: 'advanced', next: rangeSize });
    });
  }

  for (const [variant, status] of [
    [undefined, 416],
    ['resend-400', 400],
  ] as const) {
    it(`a range past the server's offset is a re-sync, not a failure (${variant ?? 'default'}: ${status})`, async () => {
      const upload = await openUpload(variant === undefined ? [] : [variant]);
      const outcome = await sendRange(upload.context, upload.guard, rangeOf(upload, rangeSize));
      expect(outcome.kind).toBe('re-sync');
      if (outcome.kind === 're-sync') expect(outcome.error.status).toBe(status);
      // Nothing was taken: the server still expects byte 0.
      const state = await upload.context.deps.graph.getUploadSession(upload.context.job.uploadUrl!);
      expect(state.nextExpectedRanges[0]?.start).toBe(0);
    });
  }

  it('a session deleted under it is said as gone', async () => {
    const upload = await openUpload();
    await upload.context.deps.graph.deleteUploadSession(upload.context.job.uploadUrl!);
    const outcome = await sendRange(upload.context, upload.guard, rangeOf(upload, 0));
    expect(outcome.kind).toBe('session-gone');
  });

  it('any other refusal is refused, and an answered last range clears the final mark', async () => {
    const upload = await openUpload([], rangeSize);
    const rule = upload.sim.control.addFault({
      operation: 'uploadContent',
      action: { type: 'status', status: 403, code: 'accessDenied' },
    });
    const outcome = await sendRange(
      upload.context,
      upload.guard,
      rangeOf(upload, 0, createHash('sha256')),
    );
    expect(upload.sim.control.faults().find((fault) => fault.id === rule.id)?.fired).toBe(1);
    expect(outcome.kind).toBe('refused');
    if (outcome.kind === 'refused') expect(outcome.error.status).toBe(403);
    // The check before the last byte had recorded the final request; its answer proves it failed.
    expect(upload.store.require(upload.context.job.id).finalSentAt).toBeNull();
  });

  it('completes with the attachment, the final request recorded before its last byte', async () => {
    const upload = await openUpload([], rangeSize);
    const outcome = await sendRange(
      upload.context,
      upload.guard,
      rangeOf(upload, 0, createHash('sha256')),
    );
    expect(outcome.kind).toBe('completed');
    const [attachment, ...more] = attachedTo(upload);
    expect(more).toEqual([]);
    if (outcome.kind === 'completed') expect(outcome.attachmentId).toBe(attachment?.id);
    expect(attachment?.sha256).toBe(sha256(upload.bytes));
    const row = upload.store.require(upload.context.job.id);
    expect(row.finalSentAt).not.toBeNull();
    expect(row.sha256).toBe(sha256(upload.bytes));
  });

  it('a file written to before its last byte is a file outcome: nothing attached, the session waits', async () => {
    const upload = await openUpload([], rangeSize);
    appendFileSync(upload.path, 'more');
    const outcome = await sendRange(
      upload.context,
      upload.guard,
      rangeOf(upload, 0, createHash('sha256')),
    );
    expect(outcome).toEqual({ kind: 'file', issue: { kind: 'file-changed' } });
    expect(attachedTo(upload)).toEqual([]);
    const state = await upload.context.deps.graph.getUploadSession(upload.context.job.uploadUrl!);
    expect(state.nextExpectedRanges[0]?.start).toBe(0);
  });
});

describe('the file guard', () => {
  it('says a file gone before its last byte as a value, with the step that helps', async () => {
    const upload = await openUpload([], rangeSize);
    rmSync(upload.path);
    const issue = await upload.guard.verifyUnchanged(sha256(upload.bytes));
    expect(issue).toMatchObject({ kind: 'file-missing', problem: { nextStep: 'locate-file' } });
  });

  it('refuses a file grown past 25 MB, and takes a resumed file that changed for a change', async () => {
    const upload = await openUpload([], rangeSize);
    truncateSync(upload.path, 26_214_401);
    expect(await upload.guard.prepare()).toMatchObject({
      kind: 'file-too-large',
      problem: { kind: 'file', nextStep: 'none' },
    });
    truncateSync(upload.path, rangeSize + 1);
    // Bytes went from the size queued: a file of another size is not the one they came from.
    upload.context.record({ ackedOffset: 10 });
    expect(await upload.guard.prepare()).toEqual({ kind: 'file-changed' });
  });

  it('reads a range as bytes, and a file cut short meanwhile as a change', async () => {
    const upload = await openUpload();
    const read = await upload.guard.read(rangeSize, rangeSize);
    expect(
      read.kind === 'ok' && read.value.equals(upload.bytes.subarray(rangeSize, rangeSize * 2)),
    ).toBe(true);
    truncateSync(upload.path, rangeSize);
    expect(await upload.guard.read(rangeSize * 2, rangeSize / 2)).toEqual({ kind: 'file-changed' });
  });
});
