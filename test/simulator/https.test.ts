import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import type { Collection, ListJson, TaskJson } from '../support/graph-sim.ts';
import { raw, type RawRequest } from '../support/raw-http.ts';
import { selfSignedCert, type SelfSignedCert } from '../support/tls.ts';

let dir: string;
let tls: SelfSignedCert;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-sim-https-'));
  tls = selfSignedCert(dir);
  sim = await startSimulator({ tls: { cert: tls.cert, key: tls.key } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(url: string): Promise<unknown> {
  return raw(url, { headers: { Authorization: `Bearer ${sim.testToken}` }, ca: tls.cert }).then(
    (res) => res.json(),
  );
}

function send(url: string, options: RawRequest): ReturnType<typeof raw> {
  const headers = { Authorization: `Bearer ${sim.testToken}`, ...options.headers };
  return raw(url, { ...options, headers, ca: tls.cert });
}

it('serves https with the given certificate, and the URLs it hands out are https too', async () => {
  expect(sim.graphUrl).toBe(`https://127.0.0.1:${sim.port}/v1.0`);
  const lists = (await get(`${sim.graphUrl}/me/todo/lists?$top=100`)) as Collection<ListJson>;
  const list = lists.value.find((candidate) => candidate.displayName === 'Work')!;
  const tasksUrl = `${sim.graphUrl}/me/todo/lists/${encodeURIComponent(list.id)}/tasks`;
  const [task] = ((await get(tasksUrl)) as Collection<TaskJson>).value;
  const created = await send(
    `${tasksUrl}/${encodeURIComponent(task!.id)}/attachments/createUploadSession`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ attachmentInfo: { attachmentType: 'file', name: 'a.bin', size: 5 } }),
    },
  );
  expect(created.status, created.text).toBe(200);
  const { uploadUrl } = created.json() as { uploadUrl: string };
  expect(uploadUrl.startsWith(`${sim.origin}/v1.0/users/`)).toBe(true);

  const put = await send(`${uploadUrl}/content`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 0-4/5' },
    body: Buffer.from('hello'),
  });
  expect(put.status, put.text).toBe(201);
  expect(String(put.headers['location'])).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\//);
});

it('refuses a client that does not trust the certificate', async () => {
  await expect(raw(`${sim.graphUrl}/me/todo/lists`)).rejects.toThrow(/self-signed/);
});
