import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
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

async function createSession(size: number, name = 'scan.pdf'): Promise<string> {
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

function putRange(uploadUrl: string, bytes: Buffer, start: number, end: number) {
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
    const uploadUrl = await createSession(bytes.length);
    const first = await putRange(uploadUrl, bytes, 0, range - 1);
    expect(first.status).toBe(200);
    const firstBody = first.json() as Record<string, unknown>;
    expect(firstBody).toEqual({
      ExpirationDateTime: expect.stringMatching(/\.\d{7}Z$/),
      NextExpectedRanges: [String(range)],
    });
    expect(sim.control.attachments().filter((a) => a.name === 'scan.pdf')).toHaveLength(0);

    const second = await putRange(uploadUrl, bytes, range, 2 * range - 1);
    expect((second.json() as Record<string, unknown>)['ExpirationDateTime']).toBe(
      firstBody['ExpirationDateTime'],
    );

    const last = await putRange(uploadUrl, bytes, 2 * range, 2 * range);
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
    const uploadUrl = await createSession(5);
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
