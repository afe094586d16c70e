/**
 * The unverified calls behind their fallbacks (docs/upload-rules.md rule 11), over real HTTP to the
 * simulator and a real SQLite queue: what a service refuses is remembered per account and not asked
 * again, until a day has passed; then a service that gained the feature gets it used again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../main/core/graph/client.ts';
import { openQueueDatabase } from '../../main/core/queue/database.ts';
import { recheckAfterMs, ServiceKnowledge } from '../../main/core/queue/service-knowledge.ts';
import { UnverifiedCalls } from '../../main/core/upload/unverified-calls.ts';
import {
  startSimulator,
  type RunningSimulator,
  type VariantName,
} from '../../main/simulator/index.ts';
import { requestsFor } from '../support/engine-harness.ts';

let dir: string;
let db: Database;
let now: number;
const sims: RunningSimulator[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-unverified-'));
  db = openQueueDatabase(dir);
  now = Date.parse('2026-12-03T08:00:00Z');
});
afterEach(async () => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

interface Service {
  sim: RunningSimulator;
  calls: UnverifiedCalls;
  listId: string;
  taskId: string;
  uploadUrl: string;
}

/** One account's service, the simulator in these variants; the same knowledge every time. */
async function service(variants: VariantName[]): Promise<Service> {
  const sim = await startSimulator({ variants });
  sims.push(sim);
  const graph = new GraphClient({
    graphUrl: sim.graphUrl,
    getAccessToken: async () => sim.testToken,
  });
  const [list] = await graph.listLists();
  const task = await graph.createTask(list!.id, { title: 'unverified' });
  const session = await graph.createUploadSession(list!.id, task.id, {
    name: 'a.bin',
    size: 10,
    contentType: 'application/octet-stream',
  });
  const knowledge = new ServiceKnowledge(db, () => now).forAccount('account');
  return {
    sim,
    calls: new UnverifiedCalls(graph, knowledge, new AbortController().signal),
    listId: list!.id,
    taskId: task.id,
    uploadUrl: session.uploadUrl,
  };
}

describe('asking a session its state', () => {
  it('a 405 is learned: not asked again for a day; then asked, and used where it now works', async () => {
    const refusing = await service(['no-session-get']);
    expect(await refusing.calls.askSession(refusing.uploadUrl)).toEqual({ kind: 'unaskable' });
    expect(await refusing.calls.askSession(refusing.uploadUrl)).toEqual({ kind: 'unaskable' });
    expect(requestsFor(refusing.sim, 'getUploadSession')).toHaveLength(1);

    const gained = await service([]);
    now += recheckAfterMs - 1;
    expect(await gained.calls.askSession(gained.uploadUrl)).toEqual({ kind: 'unaskable' });
    expect(requestsFor(gained.sim, 'getUploadSession')).toHaveLength(0);
    now += 1;
    expect(await gained.calls.askSession(gained.uploadUrl)).toEqual({
      kind: 'state',
      nextExpectedRanges: [{ start: 0, end: null }],
    });
    expect(new ServiceKnowledge(db, () => now).get('account', 'session-get')).toMatchObject({
      value: 'supported',
      learnedAt: now,
    });
  });

  it('a session gone (404) is gone, not a missing feature', async () => {
    const plain = await service([]);
    plain.sim.control.advanceClock(16 * 60_000);
    expect(await plain.calls.askSession(plain.uploadUrl)).toMatchObject({ kind: 'gone' });
    expect(new ServiceKnowledge(db).get('account', 'session-get')).toBeNull();
  });
});

describe('listing sessions', () => {
  it('a 404 is learned as "cannot be listed": null, and not asked again', async () => {
    const refusing = await service(['no-session-list']);
    expect(await refusing.calls.liveSessions(refusing.listId, refusing.taskId)).toBeNull();
    expect(await refusing.calls.liveSessions(refusing.listId, refusing.taskId)).toBeNull();
    expect(requestsFor(refusing.sim, 'listUploadSessions')).toHaveLength(1);
  });

  it('where they can be listed: the live ones', async () => {
    const plain = await service([]);
    const ids = await plain.calls.liveSessions(plain.listId, plain.taskId);
    expect(ids).toEqual([decodeURIComponent(plain.uploadUrl.split('/').pop()!)]);
  });
});
