/**
 * The final range holds back its last byte until the check before it passed: over real HTTP to
 * the simulator, the file cannot complete while the check runs, and a failed check leaves the
 * session exactly where it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.ts';
import { GraphClient } from '../../main/core/graph/client.ts';
import { FinalRangeBody } from '../../main/core/upload/final-range-body.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';

let sim: RunningSimulator;
let client: GraphClient;
let listId: string;

beforeAll(async () => {
  sim = await startSimulator();
  client = new GraphClient({ graphUrl: sim.graphUrl, getAccessToken: async () => sim.testToken });
  const [list] = await client.listLists();
  if (list === undefined) throw new Error('the simulator has no list');
  listId = list.id;
});

afterAll(() => sim.close());

async function sessionFor(bytes: Buffer) {
  const task = await client.createTask(listId, { title: `final range ${bytes.length}` });
  const session = await client.createUploadSession(listId, task.id, {
    name: 'scan.pdf',
    size: bytes.length,
    contentType: 'application/pdf',
  });
  return { taskId: task.id, uploadUrl: session.uploadUrl };
}

const attachmentsOf = (taskId: string) =>
  sim.control.attachments().filter((attachment) => attachment.taskId === taskId);

describe('the final range', () => {
  it('sends every byte but the last before the check, and the last only after it', async () => {
    const bytes = randomBytes(200_000);
    // A server that counts the body's bytes as they arrive, which the simulator does not show.
    let arrived = 0;
    const server = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => (arrived += chunk.length));
      req.on('end', () => res.writeHead(201, { Location: `${origin}/attachments('a1')` }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const origin = `http://127.0.0.1:${port}`;
    const counting = new GraphClient({ graphUrl: origin, getAccessToken: async () => 'token' });
    let arrivedDuringCheck = -1;
    const body = new FinalRangeBody(bytes, async () => {
      // Bounded: if the body sent more than it should, the assertion below says so.
      await waitUntil(() => arrived >= bytes.length - 1, 'all but the last byte', 5_000, 5).catch(
        () => undefined,
      );
      arrivedDuringCheck = arrived;
    });
    try {
      const answer = await counting.uploadRange(`${origin}/session`, {
        start: 0,
        totalSize: bytes.length,
        bytes: body,
      });
      expect(answer).toMatchObject({ kind: 'completed', attachmentId: 'a1' });
      expect(arrivedDuringCheck).toBe(bytes.length - 1);
      expect(arrived).toBe(bytes.length);
      expect(body.failure).toBeNull();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('cannot complete the file while the check runs', async () => {
    const bytes = randomBytes(200_000);
    const { taskId, uploadUrl } = await sessionFor(bytes);
    let attachmentsDuringCheck = -1;
    const body = new FinalRangeBody(bytes, async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      attachmentsDuringCheck = attachmentsOf(taskId).length;
    });

    const answer = await client.uploadRange(uploadUrl, {
      start: 0,
      totalSize: bytes.length,
      bytes: body,
    });

    expect(answer.kind).toBe('completed');
    expect(attachmentsDuringCheck).toBe(0);
    const [attachment, ...more] = attachmentsOf(taskId);
    expect(more).toEqual([]);
    expect(attachment?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('a failed check stops the request: nothing is committed and the session still waits', async () => {
    const bytes = randomBytes(50_000);
    const { taskId, uploadUrl } = await sessionFor(bytes);
    const changed = new Error('the file changed');
    const body = new FinalRangeBody(bytes, () => Promise.reject(changed));

    await expect(
      client.uploadRange(uploadUrl, { start: 0, totalSize: bytes.length, bytes: body }),
    ).rejects.toThrow();

    expect(body.failure).toBe(changed);
    expect(attachmentsOf(taskId)).toEqual([]);
    const state = await client.getUploadSession(uploadUrl);
    expect(state.nextExpectedRanges).toEqual([{ start: 0, end: null }]);
    // The same session takes the whole range afterwards: the stopped request left no part of it.
    const answer = await client.uploadRange(uploadUrl, {
      start: 0,
      totalSize: bytes.length,
      bytes,
    });
    expect(answer.kind).toBe('completed');
    expect(attachmentsOf(taskId).map((attachment) => attachment.sha256)).toEqual([
      createHash('sha256').update(bytes).digest('hex'),
    ]);
  });

  it('a one-byte range waits for the check too', async () => {
    const bytes = Buffer.from('x');
    const { taskId, uploadUrl } = await sessionFor(bytes);
    let checked = false;
    const body = new FinalRangeBody(bytes, async () => {
      expect(attachmentsOf(taskId)).toEqual([]);
      checked = true;
    });
    const answer = await client.uploadRange(uploadUrl, { start: 0, totalSize: 1, bytes: body });
    expect(answer.kind).toBe('completed');
    expect(checked).toBe(true);
  });
});
