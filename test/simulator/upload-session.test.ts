import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../main/simulator/index.ts';
import {
  attachmentIdOf,
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
  reportedOffset,
  sessionIdOf,
  sha256,
} from '../support/graph-sim.ts';
import { raw } from '../support/raw-http.ts';

let sim: RunningSimulator;
let taskPath: string;
const range = 3_932_160;

beforeAll(async () => {
  sim = await startSimulator({ seed: 'demo' });
  const lists = (await get('/me/todo/lists?$top=50')) as {
    value: { id: string; displayName: string }[];
  };
  const receipts = lists.value.find((list) => list.displayName === 'Receipts 2026');
  const tasks = (await get(`/me/todo/lists/${encodeURIComponent(receipts!.id)}/tasks`)) as {
    value: { id: string }[];
  };
  taskPath = `/me/todo/lists/${encodeURIComponent(receipts!.id)}/tasks/${encodeURIComponent(tasks.value[0]!.id)}`;
});
afterAll(() => sim.close());

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${sim.testToken}` });

async function get(path: string): Promise<unknown> {
  const res = await raw(`${sim.graphUrl}${path}`, { headers: auth() });
  expect(res.status).toBe(200);
  return res.json();
}

async function openSession(size: number, name = 'scan.pdf'): Promise<string> {
  const res = await raw(`${sim.graphUrl}${taskPath}/attachments/createUploadSession`, {
    method: 'POST',
    headers: { ...auth(), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      attachmentInfo: { attachmentType: 'file', name, size, contentType: 'application/pdf' },
    }),
  });
  expect(res.status).toBe(200);
  return (res.json() as { uploadUrl: string }).uploadUrl;
}

function putBytes(uploadUrl: string, bytes: Buffer, start: number, end: number) {
  return raw(`${uploadUrl}/content`, {
    method: 'PUT',
    headers: {
      ...auth(),
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${start}-${end}/${bytes.length}`,
    },
    body: bytes.subarray(start, end + 1),
  });
}

describe('upload session, as documented', () => {
  it('creates a session on the /users/{guid} form with a 7-digit expiry and "0-"', async () => {
    const res = await raw(`${sim.graphUrl}${taskPath}/attachments/createUploadSession`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ attachmentInfo: { attachmentType: 'file', name: 'a.bin', size: 10 } }),
    });
    expect(res.status).toBe(200);
    const session = res.json() as Record<string, unknown>;
    expect(session['@odata.context']).toMatch(/\$metadata#microsoft\.graph\.uploadSession$/);
    expect(session['uploadUrl']).toMatch(
      new RegExp(
        `^${sim.origin}/v1\\.0/users/${sim.user.id}/todo/lists/[^/]+/tasks/[^/]+/attachmentSessions/[^/]+$`,
      ),
    );
    expect(session['expirationDateTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(session['nextExpectedRanges']).toEqual(['0-']);
  });

  it('uploads in ordered ranges: 200 PascalCase bare offsets, then 201 with Location and no body', async () => {
    const bytes = randomBytes(2 * range + 1);
    const uploadUrl = await openSession(bytes.length);
    const first = await putBytes(uploadUrl, bytes, 0, range - 1);
    expect(first.status).toBe(200);
    const firstBody = first.json() as Record<string, unknown>;
    expect(firstBody).toEqual({
      ExpirationDateTime: expect.stringMatching(/\.\d{7}Z$/),
      NextExpectedRanges: [String(range)],
    });
    expect(sim.control.attachments().filter((a) => a.name === 'scan.pdf')).toHaveLength(0);

    const second = await putBytes(uploadUrl, bytes, range, 2 * range - 1);
    expect((second.json() as Record<string, unknown>)['ExpirationDateTime']).toBe(
      firstBody['ExpirationDateTime'],
    );

    const last = await putBytes(uploadUrl, bytes, 2 * range, 2 * range);
    expect(last.status).toBe(201);
    expect(last.body.length).toBe(0);
    expect(last.rawHeaderNames).toContain('Location');
    const location = String(last.headers['location']);
    expect(location).toMatch(/\/Attachments\/[^/]+$/);
    const attachmentId = decodeURIComponent(location.split('/').pop()!);
    const stored = sim.control.attachments().find((a) => a.id === attachmentId);
    expect(stored?.size).toBe(bytes.length);
    expect(stored?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((await raw(uploadUrl, { headers: auth() })).status).toBe(404);
  });

  it('refuses a PUT on the bare uploadUrl with 404', async () => {
    const uploadUrl = await openSession(5);
    const res = await raw(uploadUrl, {
      method: 'PUT',
      headers: {
        ...auth(),
        'Content-Type': 'application/octet-stream',
        'Content-Range': 'bytes 0-4/5',
      },
      body: Buffer.alloc(5),
    });
    expect(res.status).toBe(404);
    expect(
      sim.control.sessions().find((s) => uploadUrl.endsWith(encodeURIComponent(s.id)))?.nextOffset,
    ).toBe(0);
  });
});

/** A simulator with its own options for one test, and a fresh task on it. */
async function withSim(
  options: SimulatorOptions,
  work: (other: RunningSimulator, path: string) => Promise<void>,
): Promise<void> {
  const other = await startSimulator({ seed: 'empty', ...options });
  try {
    await work(other, (await newTask(other, 'upload')).path);
  } finally {
    await other.close();
  }
}

const offsetsOf = async (uploadUrl: string): Promise<[number, number | undefined]> => [
  await reportedOffset(sim, uploadUrl),
  heldOffset(sim, uploadUrl),
];

describe('createUploadSession', () => {
  it('requires attachmentInfo with attachmentType "file", a name and a size', async () => {
    const url = `${sim.graphUrl}${taskPath}/attachments/createUploadSession`;
    const bodies: unknown[] = [
      {},
      { AttachmentItem: { attachmentType: 'file', name: 'a', size: 1 } },
      { attachmentInfo: { name: 'a', size: 1 } },
      { attachmentInfo: { attachmentType: 'reference', name: 'a', size: 1 } },
      { attachmentInfo: { attachmentType: 'file', size: 1 } },
      { attachmentInfo: { attachmentType: 'file', name: 'a' } },
      { attachmentInfo: { attachmentType: 'file', name: 'a', size: -1 } },
      { attachmentInfo: { attachmentType: 'file', name: 'a', size: '1' } },
    ];
    for (const body of bodies) expectGraphError(await postJson(sim, url, body), 400);
    const typed = await postJson(sim, url, {
      attachmentInfo: {
        '@odata.type': 'microsoft.graph.attachmentInfo',
        attachmentType: 'file',
        name: 'typed.bin',
        size: 3,
      },
    });
    expect(typed.status).toBe(200);
  });

  it('refuses a size above 26,214,400 bytes with 400 and accepts the maximum itself', async () => {
    const over = await createSessionRaw(sim, taskPath, 26_214_401);
    expectGraphError(over, 400, 'invalidRequest');
    expect((await createSessionRaw(sim, taskPath, 26_214_400)).status).toBe(200);
  });

  it('uses the configured maximum, status and code for oversized sessions', async () => {
    await withSim(
      {
        upload: {
          maxAttachmentBytes: 1_000,
          sessionTooLarge: { status: 413, code: 'ErrorAttachmentSizeTooLarge' },
        },
      },
      async (other, path) => {
        expect((await createSessionRaw(other, path, 1_000)).status).toBe(200);
        expectGraphError(
          await createSessionRaw(other, path, 1_001),
          413,
          'ErrorAttachmentSizeTooLarge',
        );
        expect(other.control.sessions()).toHaveLength(1);
      },
    );
  });

  it('can refuse small sessions the way Outlook does', async () => {
    await withSim({ upload: { minSessionBytes: 3_000_000 } }, async (other, path) => {
      expectGraphError(
        await createSessionRaw(other, path, 2_999_999),
        400,
        'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
      );
      expect(other.control.sessions()).toHaveLength(0);
      expect((await createSessionRaw(other, path, 3_000_000)).status).toBe(200);
    });
    // Off by default: a 1-byte session is fine.
    expect((await createSessionRaw(sim, taskPath, 1)).status).toBe(200);
  });

  it('can answer 201 instead of 200', async () => {
    await withSim({ upload: { createSessionStatus: 201 } }, async (other, path) => {
      const res = await createSessionRaw(other, path, 10);
      expect(res.status).toBe(201);
      const body = res.json() as Record<string, unknown>;
      expect(body['uploadUrl']).toMatch(/\/attachmentSessions\/[^/]+$/);
      expect(body['nextExpectedRanges']).toEqual(['0-']);
    });
  });

  it('names the user by GUID in the uploadUrl whichever user form created it', async () => {
    const upnPath = taskPath.replace(/^\/me\//, `/users/${enc(sim.user.userPrincipalName)}/`);
    const guidPath = taskPath.replace(/^\/me\//, `/users/${sim.user.id}/`);
    for (const path of [taskPath, upnPath, guidPath]) {
      const uploadUrl = await createSession(sim, path, 5);
      expect(uploadUrl).toContain(`/v1.0/users/${sim.user.id}/todo/lists/`);
      expect(uploadUrl).not.toContain('/me/');
    }
  });

  it('keeps beta in the uploadUrl and the Location of a session created on /beta', async () => {
    const bytes = pattern(6);
    const res = await createSessionRaw(sim, `${sim.origin}/beta${taskPath}`, bytes.length);
    expect(res.status).toBe(200);
    const session = res.json() as { uploadUrl: string; '@odata.context': string };
    expect(session.uploadUrl).toMatch(new RegExp(`^${sim.origin}/beta/users/${sim.user.id}/`));
    expect(session['@odata.context']).toContain('/beta/$metadata');
    const done = await putRange(sim, session.uploadUrl, bytes, 0, 5);
    expect(done.status).toBe(201);
    expect(String(done.headers['location'])).toMatch(
      new RegExp(`^${sim.origin}/beta/users/${sim.user.id}/todo/lists/.+/Attachments/[^/]+$`),
    );
  });
});

describe('PUT {uploadUrl}/content validation', () => {
  it('requires Content-Type application/octet-stream (415)', async () => {
    const bytes = pattern(10);
    const uploadUrl = await createSession(sim, taskPath, bytes.length);
    for (const contentType of ['application/json', 'text/plain', '']) {
      const res = await putRange(sim, uploadUrl, bytes, 0, 9, {
        headers: { 'Content-Type': contentType },
      });
      expectGraphError(res, 415);
    }
    expect(await offsetsOf(uploadUrl)).toEqual([0, 0]);
    const withParams = await putRange(sim, uploadUrl, bytes, 0, 4, {
      headers: { 'Content-Type': 'Application/Octet-Stream; foo=bar' },
    });
    expect(withParams.status).toBe(200);
  });

  it('requires Content-Length (411 for a chunked body)', async () => {
    const bytes = pattern(10);
    const uploadUrl = await createSession(sim, taskPath, bytes.length);
    const res = await call(sim, `${uploadUrl}/content`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 0-9/10' },
      body: bytes,
      chunked: true,
    });
    expectGraphError(res, 411, 'lengthRequired');
    expect(await offsetsOf(uploadUrl)).toEqual([0, 0]);
  });

  it('refuses malformed or mismatched Content-Range, total or length with 400', async () => {
    const bytes = pattern(10);
    const uploadUrl = await createSession(sim, taskPath, bytes.length);
    const headers = (contentRange: string): Record<string, string> => ({
      'Content-Type': 'application/octet-stream',
      'Content-Range': contentRange,
    });
    const cases: [string, Buffer][] = [
      ['bytes 0-4', bytes.subarray(0, 5)],
      ['bytes=0-4/10', bytes.subarray(0, 5)],
      ['0-4/10', bytes.subarray(0, 5)],
      ['bytes 4-0/10', bytes.subarray(0, 5)],
      ['bytes 0-10/10', bytes],
      ['bytes */10', bytes.subarray(0, 5)],
      ['bytes 0-4/*', bytes.subarray(0, 5)],
      ['bytes 0-4/11', bytes.subarray(0, 5)],
      ['bytes 0-4/9', bytes.subarray(0, 5)],
      ['bytes 0-4/10', bytes.subarray(0, 4)],
      ['bytes 0-3/10', bytes.subarray(0, 5)],
    ];
    for (const [contentRange, body] of cases) {
      const res = await call(sim, `${uploadUrl}/content`, {
        method: 'PUT',
        headers: headers(contentRange),
        body,
      });
      expectGraphError(res, 400);
    }
    const noRange = await call(sim, `${uploadUrl}/content`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    expectGraphError(noRange, 400);
    expect(await offsetsOf(uploadUrl)).toEqual([0, 0]);
  });

  it('refuses a range over the chunk limit with 413 (default 4 MiB)', async () => {
    const limit = 4 * 1024 * 1024;
    const bytes = pattern(limit + 1);
    const uploadUrl = await createSession(sim, taskPath, bytes.length);
    expectGraphError(await putRange(sim, uploadUrl, bytes, 0, limit), 413);
    expect(await offsetsOf(uploadUrl)).toEqual([0, 0]);
    expect((await putRange(sim, uploadUrl, bytes, 0, limit - 1)).status).toBe(200);
    expect((await putRange(sim, uploadUrl, bytes, limit, limit)).status).toBe(201);
  });

  it('honours a scaled-down chunk limit', async () => {
    await withSim({ upload: { maxChunkBytes: 1_024 } }, async (other, path) => {
      const bytes = pattern(2_049);
      const uploadUrl = await createSession(other, path, bytes.length);
      expectGraphError(await putRange(other, uploadUrl, bytes, 0, 1_024), 413);
      expect(heldOffset(other, uploadUrl)).toBe(0);
      expect((await putRange(other, uploadUrl, bytes, 0, 1_023)).status).toBe(200);
      expect((await putRange(other, uploadUrl, bytes, 1_024, 2_047)).status).toBe(200);
      expect((await putRange(other, uploadUrl, bytes, 2_048, 2_048)).status).toBe(201);
    });
  });
});

describe('range order', () => {
  it('refuses out-of-order and overlapping ranges with 416 invalidRange, state unchanged', async () => {
    const bytes = pattern(30);
    const uploadUrl = await createSession(sim, taskPath, bytes.length);
    expect((await putRange(sim, uploadUrl, bytes, 0, 9)).status).toBe(200);
    const refused: [number, number][] = [
      [20, 29],
      [11, 20],
      [5, 14],
      [0, 9],
      [9, 9],
    ];
    for (const [start, end] of refused) {
      const res = await putRange(sim, uploadUrl, bytes, start, end);
      expectGraphError(res, 416, 'invalidRange');
      expect(await offsetsOf(uploadUrl)).toEqual([10, 10]);
    }
    expect((await putRange(sim, uploadUrl, bytes, 10, 19)).status).toBe(200);
    const done = await putRange(sim, uploadUrl, bytes, 20, 29);
    expect(done.status).toBe(201);
    const id = attachmentIdOf(String(done.headers['location']));
    expect(sim.control.attachments().find((a) => a.id === id)?.sha256).toBe(sha256(bytes));
  });

  it('answers out-of-order ranges with the configured status and code', async () => {
    await withSim(
      { upload: { rangeOutOfOrder: { status: 409, code: 'fragmentOverlap' } } },
      async (other, path) => {
        const bytes = pattern(8);
        const uploadUrl = await createSession(other, path, bytes.length);
        expect((await putRange(other, uploadUrl, bytes, 0, 3)).status).toBe(200);
        expectGraphError(await putRange(other, uploadUrl, bytes, 0, 3), 409, 'fragmentOverlap');
        expect(heldOffset(other, uploadUrl)).toBe(4);
      },
    );
  });
});

describe('session status, cancel, completion and expiry', () => {
  it('GET {uploadUrl} → 200 with id, expirationDateTime and nextExpectedRanges', async () => {
    const bytes = pattern(20);
    const res = await createSessionRaw(sim, taskPath, bytes.length);
    const created = res.json() as { uploadUrl: string; expirationDateTime: string };
    const fresh = await getJson<Record<string, unknown>>(sim, created.uploadUrl);
    expect(fresh).toEqual({
      id: sessionIdOf(created.uploadUrl),
      expirationDateTime: created.expirationDateTime,
      nextExpectedRanges: ['0-'],
    });
    expect((await putRange(sim, created.uploadUrl, bytes, 0, 6)).status).toBe(200);
    const later = await getJson<Record<string, unknown>>(sim, created.uploadUrl);
    expect(later['nextExpectedRanges']).toEqual(['7-']);
    expect(later['expirationDateTime']).toBe(created.expirationDateTime);
    const listed = await getJson<{ value: { id: string }[] }>(
      sim,
      `${taskPath}/attachmentSessions`,
    );
    expect(listed.value.map((session) => session.id)).toContain(sessionIdOf(created.uploadUrl));
  });

  it('DELETE {uploadUrl} → 204, then every call on the session → 404', async () => {
    const bytes = pattern(12);
    const uploadUrl = await createSession(sim, taskPath, bytes.length, { name: 'cancelled.bin' });
    expect((await putRange(sim, uploadUrl, bytes, 0, 5)).status).toBe(200);
    const res = await call(sim, uploadUrl, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
    expectGraphError(await call(sim, uploadUrl), 404, 'itemNotFound');
    expectGraphError(await putRange(sim, uploadUrl, bytes, 6, 11), 404, 'itemNotFound');
    expectGraphError(await putRange(sim, uploadUrl, bytes, 0, 11), 404, 'itemNotFound');
    expectGraphError(await call(sim, uploadUrl, { method: 'DELETE' }), 404, 'itemNotFound');
    expect(heldOffset(sim, uploadUrl)).toBeUndefined();
    expect(sim.control.attachments().some((a) => a.name === 'cancelled.bin')).toBe(false);
  });

  it('makes the attachment visible only after the final range, then forgets the session', async () => {
    const { path } = await newTask(sim, 'atomic');
    const bytes = pattern(25);
    const uploadUrl = await createSession(sim, path, bytes.length, {
      name: 'report.pdf',
      contentType: 'application/pdf',
    });
    for (const [start, end] of [
      [0, 9],
      [10, 19],
    ] as const) {
      expect((await putRange(sim, uploadUrl, bytes, start, end)).status).toBe(200);
      const listed = await getJson<{ value: unknown[] }>(sim, `${path}/attachments`);
      expect(listed.value).toEqual([]);
      expect(sim.control.attachments().some((a) => a.name === 'report.pdf')).toBe(false);
      expect((await getJson<{ hasAttachments: boolean }>(sim, path)).hasAttachments).toBe(false);
    }
    const done = await putRange(sim, uploadUrl, bytes, 20, 24);
    expect(done.status).toBe(201);
    expect(done.headers['content-length']).toBe('0');
    const location = String(done.headers['location']);
    const id = attachmentIdOf(location);
    const listed = await getJson<{ value: { id: string; name: string; size: number }[] }>(
      sim,
      `${path}/attachments`,
    );
    expect(listed.value).toEqual([
      expect.objectContaining({ id, name: 'report.pdf', size: 25, contentType: 'application/pdf' }),
    ]);
    const value = await call(sim, `${path}/attachments/${enc(id)}/$value`);
    expect(value.headers['content-type']).toBe('application/pdf');
    expect(value.body.equals(bytes)).toBe(true);
    // The Location (with its capital "Attachments") addresses the new attachment.
    expect((await getJson<{ id: string }>(sim, location)).id).toBe(id);
    expect((await getJson<{ hasAttachments: boolean }>(sim, path)).hasAttachments).toBe(true);
    expect(sim.control.attachments().find((a) => a.id === id)?.via).toBe('session');

    expectGraphError(await call(sim, uploadUrl), 404, 'itemNotFound');
    expectGraphError(await putRange(sim, uploadUrl, bytes, 20, 24), 404, 'itemNotFound');
    expectGraphError(await call(sim, uploadUrl, { method: 'DELETE' }), 404, 'itemNotFound');
    expect(heldOffset(sim, uploadUrl)).toBeUndefined();
  });

  it('expires on the simulator clock: 404 itemNotFound and the bytes are gone', async () => {
    const base = Date.parse('2026-06-01T12:00:00Z');
    const frozen = { upload: { sessionLifetimeMs: 60_000 }, now: () => base };
    await withSim(frozen, async (other, path) => {
      const bytes = pattern(10);
      const res = await createSessionRaw(other, path, bytes.length);
      const { uploadUrl, expirationDateTime } = res.json() as {
        uploadUrl: string;
        expirationDateTime: string;
      };
      expect(expirationDateTime).toBe('2026-06-01T12:01:00.0000000Z');
      expect((await putRange(other, uploadUrl, bytes, 0, 4)).status).toBe(200);
      other.control.advanceClock(59_000);
      expect((await call(other, uploadUrl)).status).toBe(200);
      other.control.advanceClock(1_000);
      expect(other.control.sessions()[0]?.expired).toBe(true);
      expectGraphError(await putRange(other, uploadUrl, bytes, 5, 9), 404, 'itemNotFound');
      expect(other.control.sessions()).toEqual([]);
      expectGraphError(await call(other, uploadUrl), 404, 'itemNotFound');
      expectGraphError(await call(other, uploadUrl, { method: 'DELETE' }), 404, 'itemNotFound');
      expect(other.control.attachments()).toEqual([]);
    });
  });

  it('answers every call on an expired session with the configured status and code', async () => {
    const options: SimulatorOptions = {
      upload: {
        sessionLifetimeMs: 1_000,
        sessionExpired: { status: 410, code: 'uploadSessionExpired' },
      },
    };
    await withSim(options, async (other, path) => {
      const bytes = pattern(4);
      const uploadUrl = await createSession(other, path, bytes.length);
      other.control.advanceClock(1_000);
      expectGraphError(await call(other, uploadUrl), 410, 'uploadSessionExpired');
      expectGraphError(await putRange(other, uploadUrl, bytes, 0, 3), 410, 'uploadSessionExpired');
      expectGraphError(
        await call(other, uploadUrl, { method: 'DELETE' }),
        410,
        'uploadSessionExpired',
      );
      expect(other.control.sessions()).toEqual([]);
      // A session that never existed is still plainly not found.
      expectGraphError(await call(other, `${uploadUrl}x`), 404, 'itemNotFound');
    });
  });

  it('drops the sessions of a deleted task', async () => {
    const { path } = await newTask(sim, 'short-lived');
    const uploadUrl = await createSession(sim, path, 10);
    expect((await call(sim, path, { method: 'DELETE' })).status).toBe(204);
    expect(heldOffset(sim, uploadUrl)).toBeUndefined();
    expectGraphError(await call(sim, uploadUrl), 404, 'itemNotFound');
  });
});
