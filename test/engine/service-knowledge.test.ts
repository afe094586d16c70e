import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQueueDatabase } from '../../main/core/queue/database.ts';
import {
  factIds,
  recheckAfterMs,
  ServiceKnowledge,
} from '../../main/core/queue/service-knowledge.ts';

let dir: string;
let db: Database;
let now: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-knowledge-'));
  db = openQueueDatabase(dir);
  now = Date.parse('2026-12-03T08:00:00Z');
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const knowledge = () => new ServiceKnowledge(db, () => now);

describe('the service knowledge store', () => {
  it('has the stable fact ids the doctor and the simulator variants use', () => {
    expect(factIds).toEqual([
      'session-get',
      'session-list',
      'resend-answer',
      'intermediate-casing',
      'size-limit',
      'empty-inline',
      'page-size',
      'location-header',
    ]);
  });

  it('remembers a fact per account, with when and by whom, across a reopen', () => {
    knowledge().learn('a', 'session-get', 'unsupported');
    knowledge().learn('a', 'size-limit', 25_000_000, 'doctor');
    knowledge().learn('b', 'session-get', 'supported');
    db.close();
    db = openQueueDatabase(dir);
    const store = knowledge();
    expect(store.get('a', 'session-get')).toEqual({
      accountId: 'a',
      fact: 'session-get',
      value: 'unsupported',
      source: 'engine',
      learnedAt: now,
    });
    expect(store.current('b', 'session-get')).toBe('supported');
    expect(store.all('a').map((fact) => [fact.fact, fact.value, fact.source])).toEqual([
      ['session-get', 'unsupported', 'engine'],
      ['size-limit', 25_000_000, 'doctor'],
    ]);
    expect(store.current('a', 'session-list')).toBeNull();
  });

  it('is looked at again once it is a day old; learning it again renews it', () => {
    const store = knowledge();
    store.learn('a', 'session-list', 'unsupported');
    now += recheckAfterMs - 1;
    expect(store.current('a', 'session-list')).toBe('unsupported');
    now += 1;
    expect(store.current('a', 'session-list')).toBeNull();
    expect(store.get('a', 'session-list')?.value).toBe('unsupported');
    store.forAccount('a').learn('session-list', 'supported');
    expect(store.forAccount('a').current('session-list')).toBe('supported');
    expect(store.forAccount('b').current('session-list')).toBeNull();
  });

  it('refuses a value that does not fit the fact, and ignores rows it cannot read', () => {
    const store = knowledge();
    expect(() => store.learn('a', 'page-size', -3)).toThrow();
    db.prepare(
      "INSERT INTO service_facts VALUES ('a', 'from-a-newer-taskdrop', '1', 'engine', 0), ('a', 'page-size', 'not json', 'engine', 0)",
    ).run();
    expect(store.all('a')).toEqual([]);
    expect(store.get('a', 'page-size')).toBeNull();
  });

  it('forgets one fact or all of an account', () => {
    const store = knowledge();
    store.learn('a', 'session-get', 'unsupported');
    store.learn('a', 'empty-inline', 'refused');
    store.forget('a', 'session-get');
    expect(store.all('a').map((fact) => fact.fact)).toEqual(['empty-inline']);
    store.forget('a');
    expect(store.all('a')).toEqual([]);
  });
});
