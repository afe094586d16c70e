import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.ts';
import {
  parseVariantList,
  startSimulator,
  UnknownVariantError,
  variantNames,
  type RunningSimulator,
  type SimulatorOptions,
  type VariantName,
} from '../../main/simulator/index.ts';
import {
  call,
  createSession,
  createSessionRaw,
  enc,
  expectGraphError,
  getJson,
  heldOffset,
  newTask,
  pattern,
  postJson,
  putRange,
  type Collection,
  type ListJson,
  type TaskJson,
} from '../support/graph-sim.ts';

/** Each variant of docs/simulator-variants.md as the wire shows it: raw HTTP, no client. */

const cli = fileURLToPath(new URL('../../main/simulator/cli.ts', import.meta.url));
const started: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sim) => sim.close()));
});

async function simWith(
  variants: VariantName[],
  options: SimulatorOptions = {},
): Promise<RunningSimulator> {
  const sim = await startSimulator({ seed: 'demo', variants, ...options });
  started.push(sim);
  return sim;
}

const base64Of = (size: number): string => Buffer.alloc(size, 7).toString('base64');

function postInline(sim: RunningSimulator, path: string, size: number) {
  return postJson(sim, `${path}/attachments`, {
    '@odata.type': '#microsoft.graph.taskFileAttachment',
    name: 'inline.bin',
    contentBytes: base64Of(size),
  });
}

describe('choosing variants', () => {
  it('refuses an unknown name, listing the valid ones', async () => {
    expect(() => parseVariantList('page-50,nope')).toThrow(UnknownVariantError);
    expect(() => parseVariantList('nope')).toThrow(variantNames.join(', '));
    await expect(startSimulator({ variants: ['nope' as VariantName] })).rejects.toThrow(
      /unknown simulator variant "nope"; the variants are: no-session-get, /,
    );
  });

  it('spells pessimistic out as every other variant', async () => {
    const sim = await simWith(['pessimistic']);
    expect([...sim.variants].sort()).toEqual(
      variantNames.filter((name) => name !== 'pessimistic').sort(),
    );
    expect((await simWith([])).variants).toEqual([]);
  });

  it('refuses an unknown --variant on the command line, listing the valid ones', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000 });
    const refused = run(['--', '--port', '0', '--variant', 'camel-case,bogus']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('unknown simulator variant "bogus"; the variants are:');
    expect(refused.stderr).toContain('pessimistic');
    const wrong = run(['--port', 'x']);
    expect(wrong.stderr).toContain('--port must be a port number');
  });
});

describe('no-session-get', () => {
  it('answers GET {uploadUrl} with 405 and a Graph error body; the default answers 200', async () => {
    for (const [variants, status] of [
      [['no-session-get'], 405],
      [[], 200],
    ] as const) {
      const sim = await simWith([...variants]);
      const { path } = await newTask(sim);
      const url = await createSession(sim, path, 10);
      const res = await call(sim, url);
      if (status === 405) expectGraphError(res, 405, 'methodNotAllowed');
      else expect(res.status).toBe(200);
    }
  });
});

describe('no-session-list', () => {
  it('answers GET …/attachmentSessions with 404', async () => {
    const sim = await simWith(['no-session-list']);
    const { path } = await newTask(sim);
    await createSession(sim, path, 10);
    expectGraphError(await call(sim, `${path}/attachmentSessions`), 404);
    expect(sim.control.sessions()).toHaveLength(1);
  });
});

describe('resend-400', () => {
  it('refuses a range at the wrong offset with 400, the session as it was', async () => {
    const sim = await simWith(['resend-400']);
    const { path } = await newTask(sim);
    const bytes = pattern(100);
    const url = await createSession(sim, path, bytes.length);
    expect((await putRange(sim, url, bytes, 0, 49)).status).toBe(200);
    expectGraphError(await putRange(sim, url, bytes, 0, 49), 400, 'invalidRequest');
    expectGraphError(await putRange(sim, url, bytes, 60, 99), 400, 'invalidRequest');
    expect(heldOffset(sim, url)).toBe(50);
    expect((await putRange(sim, url, bytes, 50, 99)).status).toBe(201);
  });
});

describe('camel-case', () => {
  it('gives intermediate PUT answers in camelCase, the default in PascalCase', async () => {
    for (const [variants, keys] of [
      [['camel-case'], ['expirationDateTime', 'nextExpectedRanges']],
      [[], ['ExpirationDateTime', 'NextExpectedRanges']],
    ] as const) {
      const sim = await simWith([...variants]);
      const { path } = await newTask(sim);
      const bytes = pattern(100);
      const url = await createSession(sim, path, bytes.length);
      const res = await putRange(sim, url, bytes, 0, 49);
      expect(res.status).toBe(200);
      const body = res.json() as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(keys);
      expect(body[keys[1]]).toEqual(['50']);
    }
  });
});

describe('throttle-bare and the default 429', () => {
  async function concurrency429(sim: RunningSimulator) {
    sim.control.addFault({ operation: 'listLists', action: { type: 'delay', ms: 300 } });
    const held = call(sim, '/me/todo/lists');
    await waitUntil(
      () => sim.control.counters().peakConcurrency >= 1,
      'the held request',
      5_000,
      10,
    );
    const over = await call(sim, '/me/todo/lists');
    expect((await held).status).toBe(200);
    return over;
  }

  it('gives ApplicationThrottled with the MailboxConcurrency message, and Retry-After only by default', async () => {
    for (const [variants, retryAfter] of [
      [['throttle-bare'], undefined],
      [[], '1'],
    ] as const) {
      const sim = await simWith([...variants], { limits: { maxConcurrentRequests: 1 } });
      const over = await concurrency429(sim);
      const body = expectGraphError(over, 429, 'ApplicationThrottled');
      expect(body.error.message).toBe('Application is over its MailboxConcurrency limit.');
      expect(over.headers['retry-after']).toBe(retryAfter);
    }
  });
});

describe('limit-25000000', () => {
  it('refuses a session over 25,000,000 bytes with 400; the default takes up to 26,214,400', async () => {
    const limited = await simWith(['limit-25000000']);
    const { path } = await newTask(limited);
    expect((await createSessionRaw(limited, path, 25_000_000)).status).toBe(200);
    expectGraphError(await createSessionRaw(limited, path, 25_000_001), 400);
    const plain = await simWith([]);
    const task = await newTask(plain);
    expect((await createSessionRaw(plain, task.path, 26_214_400)).status).toBe(200);
    expectGraphError(await createSessionRaw(plain, task.path, 26_214_401), 400);
  });

  it('refuses it at POST too, where the inline limits would let it through', async () => {
    const sim = await simWith(['limit-25000000'], {
      upload: { smallAttachmentLimitBytes: 30_000_000, requestBodyCapBytes: 40_000_000 },
    });
    const { path } = await newTask(sim);
    const res = await postInline(sim, path, 25_000_001);
    expect((res.json() as { error: { message: string } }).error.message).toContain('25000000');
    expectGraphError(res, 400);
    expect(sim.control.attachments()).toEqual([]);
  });
});

describe('no-empty-inline', () => {
  it('refuses a POST with empty contentBytes; the default stores an empty attachment', async () => {
    const refusing = await simWith(['no-empty-inline']);
    const { path } = await newTask(refusing);
    expectGraphError(await postInline(refusing, path, 0), 400);
    expect((await postInline(refusing, path, 1)).status).toBe(201);
    expect(refusing.control.attachments().map((attachment) => attachment.size)).toEqual([1]);
    const plain = await simWith([]);
    const task = await newTask(plain);
    expect((await postInline(plain, task.path, 0)).status).toBe(201);
  });

  it('still creates a 0-byte session that no PUT can complete', async () => {
    const sim = await simWith(['no-empty-inline']);
    const { path } = await newTask(sim);
    const url = await createSession(sim, path, 0);
    const res = await call(sim, `${url}/content`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 0-0/0' },
      body: Buffer.alloc(0),
    });
    expectGraphError(res, 400);
    expect(sim.control.attachments()).toEqual([]);
  });
});

describe('short-sessions', () => {
  it('lets a session expire after 2 minutes', async () => {
    let now = Date.parse('2026-12-03T08:00:00Z');
    const sim = await simWith(['short-sessions'], { now: () => now });
    const { path } = await newTask(sim);
    const url = await createSession(sim, path, 10);
    now += 119_000;
    expect((await call(sim, url)).status).toBe(200);
    now += 2_000;
    expectGraphError(await call(sim, url), 404);
  });
});

describe('page-50', () => {
  it('pages tasks and lists by 50 with a nextLink when no $top is given', async () => {
    const sim = await simWith(['page-50'], { seed: 'empty' });
    const list = await postJson(sim, '/me/todo/lists', { displayName: 'Many' });
    const listId = (list.json() as ListJson).id;
    for (let index = 0; index < 55; index += 1) {
      await postJson(sim, `/me/todo/lists/${enc(listId)}/tasks`, { title: `t${index}` });
      await postJson(sim, '/me/todo/lists', { displayName: `list ${index}` });
    }
    for (const [path, total] of [
      [`/me/todo/lists/${enc(listId)}/tasks`, 55],
      ['/me/todo/lists', 58],
    ] as const) {
      const first = await getJson<Collection<TaskJson>>(sim, path);
      expect(first.value).toHaveLength(50);
      const next = await getJson<Collection<TaskJson>>(sim, first['@odata.nextLink']!);
      expect(next.value).toHaveLength(total - 50);
      expect(next).not.toHaveProperty('@odata.nextLink');
    }
  });
});

describe('defaults corrected against the evidence', () => {
  it('answers a malformed $deltatoken with 410, for tasks and lists', async () => {
    const sim = await simWith([]);
    const { listId } = await newTask(sim);
    for (const path of [`/me/todo/lists/${enc(listId)}/tasks/delta`, '/me/todo/lists/delta']) {
      expectGraphError(
        await call(sim, `${path}?$deltatoken=not-a-token`),
        410,
        'SyncStateNotFound',
      );
      const round = await getJson<Collection<unknown>>(sim, path);
      expect((await call(sim, round['@odata.deltaLink']!)).status).toBe(200);
    }
  });

  it("honours $filter=status eq|ne '…' on tasks and refuses any other filter with 400", async () => {
    const sim = await simWith([]);
    const { listId, path } = await newTask(sim, 'done one');
    await call(sim, path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'completed' }),
    });
    await newTask(sim, 'open one');
    const tasksPath = `/me/todo/lists/${enc(listId)}/tasks`;
    const titles = async (filter: string) =>
      (await getJson<Collection<TaskJson>>(sim, `${tasksPath}?$filter=${enc(filter)}`)).value.map(
        (task) => task.title,
      );
    expect(await titles("status eq 'completed'")).toEqual(['done one']);
    const open = await titles("status ne 'completed'");
    expect(open).toContain('open one');
    expect(open).not.toContain('done one');
    expectGraphError(await call(sim, `${tasksPath}?$filter=${enc("title eq 'x'")}`), 400);
  });
});
