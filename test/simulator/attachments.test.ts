import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import {
  call,
  enc,
  expectGraphError,
  getJson,
  newTask,
  pattern,
  postJson,
  sha256,
  type Collection,
  type NewTask,
} from '../support/graph-sim.ts';

let sim: RunningSimulator;
let task: NewTask;

beforeAll(async () => {
  sim = await startSimulator({ seed: 'empty' });
  task = await newTask(sim, 'attachments');
});
afterAll(() => sim.close());

interface AttachmentJson {
  '@odata.type': string;
  id: string;
  name: string;
  contentType: string;
  size: number;
  lastModifiedDateTime: string;
  contentBytes?: string | null;
}

function post(
  target: RunningSimulator,
  path: string,
  name: string,
  bytes: Buffer,
  contentType?: string,
) {
  return postJson(target, `${path}/attachments`, {
    '@odata.type': '#microsoft.graph.taskFileAttachment',
    name,
    contentBytes: bytes.toString('base64'),
    ...(contentType === undefined ? {} : { contentType }),
  });
}

async function attach(name: string, bytes: Buffer, contentType?: string): Promise<AttachmentJson> {
  const res = await post(sim, task.path, name, bytes, contentType);
  expect(res.status, res.text).toBe(201);
  return res.json() as AttachmentJson;
}

const one = (id: string): string => `${task.path}/attachments/${enc(id)}`;

describe('small attachments (base64 POST)', () => {
  it('answers 201 with the attachment and without contentBytes', async () => {
    const gif = pattern(1234);
    const res = await post(sim, task.path, 'flower.gif', gif, 'image/gif');
    expect(res.status).toBe(201);
    const body = res.json() as AttachmentJson;
    expect(body).toMatchObject({
      '@odata.type': '#microsoft.graph.taskFileAttachment',
      name: 'flower.gif',
      contentType: 'image/gif',
      size: 1234,
    });
    expect(body.id).toMatch(/=$/);
    expect(body.lastModifiedDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(body).not.toHaveProperty('contentBytes');
    const stored = sim.control.attachments().find((a) => a.id === body.id);
    expect(stored).toMatchObject({ name: 'flower.gif', size: 1234, via: 'post' });
    expect(stored?.sha256).toBe(sha256(gif));
  });

  it('lists attachments without contentBytes, gets one with them, streams $value', async () => {
    const bytes = pattern(700, 3);
    const created = await attach('scan.png', bytes, 'image/png');
    const list = await getJson<Collection<AttachmentJson>>(sim, `${task.path}/attachments`);
    const listed = list.value.find((a) => a.id === created.id);
    expect(listed).toBeDefined();
    expect(created).toMatchObject(listed!);
    for (const item of list.value) expect(item).not.toHaveProperty('contentBytes');

    const got = await getJson<AttachmentJson>(sim, one(created.id));
    expect(got).toMatchObject({ id: created.id, name: 'scan.png', size: 700 });
    expect(Buffer.from(got.contentBytes ?? '', 'base64').equals(bytes)).toBe(true);

    const value = await call(sim, `${one(created.id)}/$value`);
    expect(value.status).toBe(200);
    expect(value.headers['content-type']).toBe('image/png');
    expect(value.body.equals(bytes)).toBe(true);
  });

  it('stores application/octet-stream when no contentType is given', async () => {
    const created = await attach('notes.md', Buffer.from('# notes\n'));
    expect(created.contentType).toBe('application/octet-stream');
    const value = await call(sim, `${one(created.id)}/$value`);
    expect(value.headers['content-type']).toBe('application/octet-stream');
    expect(value.text).toBe('# notes\n');
  });

  it('allows duplicate names, each with its own id', async () => {
    const first = await attach('same.txt', Buffer.from('first'));
    const second = await attach('same.txt', Buffer.from('second'));
    expect(second.id).not.toBe(first.id);
    const list = await getJson<Collection<AttachmentJson>>(sim, `${task.path}/attachments`);
    expect(list.value.filter((a) => a.name === 'same.txt').map((a) => a.id)).toEqual([
      first.id,
      second.id,
    ]);
    expect((await call(sim, `${one(first.id)}/$value`)).text).toBe('first');
    expect((await call(sim, `${one(second.id)}/$value`)).text).toBe('second');
  });

  it('deletes with 204, then answers 404 everywhere', async () => {
    const created = await attach('gone.txt', Buffer.from('bye'));
    const res = await call(sim, one(created.id), { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
    expectGraphError(await call(sim, one(created.id)), 404, 'itemNotFound');
    expectGraphError(await call(sim, `${one(created.id)}/$value`), 404, 'itemNotFound');
    expectGraphError(await call(sim, one(created.id), { method: 'DELETE' }), 404, 'itemNotFound');
    const list = await getJson<Collection<AttachmentJson>>(sim, `${task.path}/attachments`);
    expect(list.value.map((a) => a.id)).not.toContain(created.id);
    expect(sim.control.attachments().map((a) => a.id)).not.toContain(created.id);
  });

  it('accepts a 0-byte file', async () => {
    const created = await attach('empty.txt', Buffer.alloc(0), 'text/plain');
    expect(created.size).toBe(0);
    const value = await call(sim, `${one(created.id)}/$value`);
    expect(value.status).toBe(200);
    expect(value.body.length).toBe(0);
    expect(sim.control.attachments().find((a) => a.id === created.id)?.sha256).toBe(
      sha256(Buffer.alloc(0)),
    );
  });

  it('refuses bodies without a name, without base64 contentBytes, or not JSON', async () => {
    const path = `${task.path}/attachments`;
    const bodies: unknown[] = [
      { contentBytes: 'aGk=' },
      { name: '', contentBytes: 'aGk=' },
      { name: 'x.txt' },
      { name: 'x.txt', contentBytes: 'not base64!' },
      { name: 'x.txt', contentBytes: 'aGk' },
    ];
    for (const body of bodies) expectGraphError(await postJson(sim, path, body), 400);
    expectGraphError(
      await call(sim, path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":',
      }),
      400,
    );
  });

  it('does not find an attachment through another task', async () => {
    const created = await attach('mine.txt', Buffer.from('x'));
    const other = await newTask(sim, 'other');
    expectGraphError(
      await call(sim, `${other.path}/attachments/${enc(created.id)}`),
      404,
      'itemNotFound',
    );
    expectGraphError(
      await call(sim, `${task.path}/attachments/${enc('AAMkAnope=')}`),
      404,
      'itemNotFound',
    );
  });
});

describe('small attachment limits (defaults: 4 MiB body, 3,000,000 raw bytes)', () => {
  it('accepts 2,999,999 raw bytes and refuses 3,000,000 with 400', async () => {
    const below = pattern(2_999_999);
    const ok = await post(sim, task.path, 'below.bin', below);
    expect(ok.status).toBe(201);
    const stored = sim.control.attachments().find((a) => a.name === 'below.bin');
    expect(stored?.sha256).toBe(sha256(below));

    const at = await post(sim, task.path, 'at.bin', pattern(3_000_000));
    expectGraphError(at, 400, 'invalidRequest');
    expect(sim.control.attachments().some((a) => a.name === 'at.bin')).toBe(false);
  });

  it('refuses a body over the request cap with 413', async () => {
    const over = pattern(3_200_000);
    const res = await post(sim, task.path, 'huge.bin', over);
    expectGraphError(res, 413);
    expect(sim.control.attachments().some((a) => a.name === 'huge.bin')).toBe(false);
  });

  it('answers the ≥ 3 MB refusal with the configured status and code', async () => {
    const strict = await startSimulator({
      seed: 'empty',
      upload: {
        smallAttachmentLimitBytes: 100,
        requestBodyCapBytes: 1_000,
        smallAttachmentTooLarge: { status: 413, code: 'ErrorAttachmentSizeTooLarge' },
      },
    });
    try {
      const target = await newTask(strict, 'strict');
      expect((await post(strict, target.path, 'ok.bin', pattern(99))).status).toBe(201);
      expectGraphError(
        await post(strict, target.path, 'at.bin', pattern(100)),
        413,
        'ErrorAttachmentSizeTooLarge',
      );
      expectGraphError(
        await post(strict, target.path, 'cap.bin', pattern(800)),
        413,
        'RequestEntityTooLarge',
      );
    } finally {
      await strict.close();
    }
  });
});
