import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { raw } from '../support/raw-http.ts';

const cli = fileURLToPath(new URL('../../main/simulator/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'taskdrop-sim-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Banner {
  graphUrl: string;
  inspectUrl: string;
  testToken: string;
  userId: string;
  userPrincipalName: string;
  variants: string[];
  pid: number;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

const running = new Set<Child>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

function start(args: string[]): { child: Child; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stderr });
    });
  });
  return { child, exited };
}

/** Resolves with the bounded wait's value, or rejects after `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Starts the CLI and reads its one JSON line. */
async function launch(
  args: string[],
): Promise<{ child: Child; banner: Banner; exited: Promise<Exit> }> {
  const { child, exited } = start(args);
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    void exited.then((exit) => reject(new Error(`simulator exited early: ${exit.stderr}`)));
  });
  const banner = JSON.parse(await within(10_000, 'the JSON line', line)) as Banner;
  return { child, banner, exited };
}

async function stop(child: Child, exited: Promise<Exit>): Promise<Exit> {
  child.kill('SIGTERM');
  return within(10_000, 'the simulator to exit', exited);
}

const graph = (banner: Banner, path: string, init: Parameters<typeof raw>[1] = {}) =>
  raw(`${banner.graphUrl}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${banner.testToken}`, ...init.headers },
  });

describe('the standalone simulator (node main/simulator/cli.ts)', () => {
  it('prints one JSON line, serves Graph with its token and exits 0 on SIGTERM', async () => {
    const { child, banner, exited } = await launch(['--port', '0']);
    expect(banner.graphUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    expect(banner.inspectUrl).toBe(banner.graphUrl.replace(/\/v1\.0$/, '/_sim'));
    expect(banner.testToken).toMatch(/^simtok\./);
    expect(banner.userPrincipalName).toBe('demo@taskdrop.example');
    expect(banner.pid).toBe(child.pid);

    const lists = await graph(banner, '/me/todo/lists?$top=10');
    expect(lists.status).toBe(200);
    const names = (lists.json() as { value: { displayName: string }[] }).value.map(
      (list) => list.displayName,
    );
    expect(names).toEqual(['Tasks', 'Flagged emails', 'Receipts 2026', 'Work', 'Home', 'Archive']);
    expect((await raw(`${banner.graphUrl}/me/todo/lists`)).status).toBe(401);
    const users = await raw(`${banner.inspectUrl}/users`);
    expect((users.json() as { id: string }[]).map((user) => user.id)).toEqual([banner.userId]);

    const exit = await stop(child, exited);
    expect(exit.code).toBe(0);
  });

  it('takes npm\'s own "--" (./run sim -- --port 0) and runs the --variant given', async () => {
    const { child, banner, exited } = await launch([
      '--',
      '--port',
      '0',
      '--variant',
      'no-session-get',
      '--variant',
      'camel-case,page-50',
    ]);
    expect(banner.variants).toEqual(['no-session-get', 'camel-case', 'page-50']);
    const lists = await graph(banner, '/me/todo/lists');
    expect(lists.status).toBe(200);
    expect((await stop(child, exited)).code).toBe(0);
  });

  it('keeps state in --data DIR across two runs', async () => {
    const run1 = await launch(['--port', '0', '--data', dataDir, '--seed', 'empty']);
    const lists = await graph(run1.banner, '/me/todo/lists');
    const tasksList = (lists.json() as { value: { id: string }[] }).value[0]!;
    const tasksPath = `/me/todo/lists/${encodeURIComponent(tasksList.id)}/tasks`;
    const created = await graph(run1.banner, tasksPath, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'survives a restart' }),
    });
    expect(created.status).toBe(201);
    expect((await stop(run1.child, run1.exited)).code).toBe(0);

    const run2 = await launch(['--port', '0', '--data', dataDir]);
    expect(run2.banner.userId).toBe(run1.banner.userId);
    const tasks = await graph(run2.banner, tasksPath);
    expect(tasks.status).toBe(200);
    expect((tasks.json() as { value: { title: string }[] }).value.map((t) => t.title)).toEqual([
      'survives a restart',
    ]);
    expect((await stop(run2.child, run2.exited)).code).toBe(0);
  });

  it('exits non-zero with a clear message on a bad --port or --seed', async () => {
    const [badPort, outOfRange, badSeed] = await within(
      10_000,
      'the simulators to exit',
      Promise.all([
        start(['--port', 'x']).exited,
        start(['--port', '70000']).exited,
        start(['--seed', 'lots']).exited,
      ]),
    );
    expect(badPort.code).not.toBe(0);
    expect(badPort.code).not.toBeNull();
    expect(badPort.stderr).toContain('--port must be a port number, not "x"');
    expect(outOfRange.code).not.toBe(0);
    expect(outOfRange.code).not.toBeNull();
    expect(outOfRange.stderr).toContain('--port must be a port number');
    expect(badSeed.code).not.toBe(0);
    expect(badSeed.code).not.toBeNull();
    expect(badSeed.stderr).toContain('--seed must be demo or empty');
  });
});
