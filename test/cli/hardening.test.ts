import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reserveFileName } from '../../main/core/queue/queue-room.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { finished, runCli, spawnCli } from '../support/cli.ts';
import { sha256Of, waitUntil } from '../support/engine-harness.ts';
import { smallDisk, type SmallDisk } from '../support/small-disk.ts';

// Each test starts two to five taskdrop processes, each taking 1–5 s on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

let sim: RunningSimulator;
let dir: string;
let env: NodeJS.ProcessEnv;

const at = (dataDir: string): string[] => ['--graph-url', sim.graphUrl, '--data-dir', dataDir];

function file(name: string, bytes: Buffer | number): string {
  const path = join(dir, name);
  writeFileSync(path, typeof bytes === 'number' ? randomBytes(bytes) : bytes);
  return path;
}

beforeAll(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-harden-'));
  env = { TASKDROP_ACCESS_TOKEN: sim.testToken, TASKDROP_LOG_DIR: join(dir, 'logs') };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What a plain-words error must not show: a raw SQLite error or a stack trace. */
const noStack = /unexpected error|SqliteError|\n\s+at /;
/** Characters that drive a terminal, here as they would arrive raw. */
// eslint-disable-next-line no-control-regex -- the raw characters are what is looked for
const raw = new RegExp('[\\u001b\\u0007\\u202e]');

const attachedNamed = (name: string) => sim.control.attachments().filter((a) => a.name === name);

describe('Ctrl-C', () => {
  it('stops within a second while the task lookup waits out a 503 Retry-After, and says nothing was queued', async () => {
    const rule = sim.control.addFault({
      operation: 'listLists',
      times: 0,
      action: { type: 'status', status: 503, retryAfter: '10' },
    });
    const since = sim.control.requests().at(-1)?.seq ?? 0;
    const path = file('lookup-stop.txt', 100);
    const dataDir = join(dir, 'ctrl-c');
    const child = spawnCli(
      ['upload', path, '--list', 'Work', '--task', 'Design review notes', ...at(dataDir)],
      env,
    );
    const stopping = finished(child);
    try {
      await waitUntil(
        () => sim.control.requests(since).some((entry) => entry.operation === 'listLists'),
        'the first (refused) list lookup',
        20_000,
      );
      const interruptedAt = Date.now();
      child.kill('SIGINT');
      const stopped = await stopping;
      expect(Date.now() - interruptedAt).toBeLessThan(1_500);
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain('stopped. Nothing was queued or uploaded.');
      expect(stopped.stderr).not.toContain('stay queued');
    } finally {
      sim.control.removeFault(rule.id);
    }
    expect(attachedNamed('lookup-stop.txt')).toEqual([]);
    const queue = await runCli(['queue', '--json', ...at(dataDir)], env);
    expect(queue.stdout).toBe('');
  });
});

describe('what reaches the terminal', () => {
  it('neutralises control characters in file names and task titles; JSON keeps them exact', async () => {
    const name = 'evil\x1b]0;owned\x07\x1b[2J.txt';
    const title = 'Pay \x1b[31mnow\x1b[0m \u202eexe.pdf';
    const path = file(name, 50);
    const dataDir = join(dir, 'escapes');
    const args = ['upload', path, '--list', 'Work', '--task', title, '--create-task'];
    const human = await runCli([...args, ...at(dataDir)], env);
    expect(human.code).toBe(0);
    expect(human.stdout + human.stderr).not.toMatch(raw);
    expect(human.stdout).toContain(
      '✓ evil\\x1b]0;owned\\x07\\x1b[2J.txt attached to “Pay \\x1b[31mnow',
    );
    const queue = await runCli(['queue', ...at(dataDir)], env);
    expect(queue.stdout).not.toMatch(raw);
    expect(queue.stdout).toContain('\\u202eexe.pdf');
    const json = await runCli(['queue', '--json', ...at(dataDir)], env);
    const [job] = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { fileName: string; target: { taskTitle: string } });
    expect(job?.fileName).toBe(name);
    expect(job?.target.taskTitle).toBe(title);
  });
});

describe('special files', () => {
  it('refuses /proc/cpuinfo (size 0, content not empty) instead of attaching it empty', async () => {
    const result = await runCli(
      [
        'upload',
        '/proc/cpuinfo',
        '--list',
        'Work',
        '--task',
        'Design review notes',
        ...at(join(dir, 'proc')),
      ],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cpuinfo holds more or less than the 0 bytes its size says');
    expect(attachedNamed('cpuinfo')).toEqual([]);
  });

  it('fails a queued job whose source turned out special at upload, attaching nothing', async () => {
    const dataDir = join(dir, 'proc-queued');
    const regular = file('regular.txt', 10);
    const first = await runCli(
      ['upload', regular, '--list', 'Work', '--task', 'Design review notes', ...at(dataDir)],
      env,
    );
    expect(first.code).toBe(0);
    // A job queued for a path whose file is now a special one (a mount over it, or an older
    // taskdrop that let it in): the upload looks again.
    const db = new Database(join(dataDir, 'queue.sqlite3'));
    db.prepare(
      `INSERT INTO jobs (state, source_path, file_name, content_type, size, mtime_ms, account_id,
         list_id, task_id, list_name, task_title, created_at, updated_at)
       SELECT 'waiting', '/proc/version', 'version', 'text/plain', 0, 0, account_id, list_id,
         task_id, list_name, task_title, created_at, updated_at FROM jobs LIMIT 1`,
    ).run();
    db.close();
    const run = await runCli(['run', ...at(dataDir)], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'version holds more or less than its size says: it is a special file',
    );
    expect(attachedNamed('version')).toEqual([]);
  });
});

describe('where the token may go', () => {
  it('refuses a --graph-url that is neither Microsoft Graph nor this machine, before any request', async () => {
    const before = sim.control.requests().length;
    const port = new URL(sim.graphUrl).port;
    // 0.0.0.0 reaches the simulator on Linux, yet is no loopback name: refused all the same.
    for (const graphUrl of [
      `http://0.0.0.0:${port}/v1.0`,
      'https://graph.example.com/v1.0',
      'http://graph.microsoft.com/v1.0',
      'https://graph.microsoft.com.evil.example/v1.0',
    ]) {
      const result = await runCli(
        ['lists', '--graph-url', graphUrl, '--data-dir', join(dir, 'hosts')],
        env,
      );
      expect(result.code, graphUrl).toBe(2);
      expect(result.stderr).toContain(`Refused to use ${graphUrl} as Microsoft Graph`);
    }
    expect(sim.control.requests()).toHaveLength(before);
  });

  it('redacts a token that a server echoes back in its error', async () => {
    const secret = 'plain-secret-4f9a1c';
    const echo: Server = createServer((request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: {
            code: 'BadRequest',
            message: `Bad header Authorization: ${request.headers.authorization ?? ''} (you sent ${secret})`,
          },
        }),
      );
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = echo.address() as AddressInfo;
      const result = await runCli(
        ['lists', '--graph-url', `http://127.0.0.1:${port}/v1.0`, '--data-dir', join(dir, 'echo')],
        { ...env, TASKDROP_ACCESS_TOKEN: secret },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Graph answered 400 BadRequest for listLists');
      expect(result.stderr).not.toContain(secret);
      expect(result.stderr).toContain('[redacted]');
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});

describe('data at rest', () => {
  it('keeps the data folder 0700 and its files 0600, tightening a folder made before', async () => {
    const dataDir = join(dir, 'private');
    mkdirSync(dataDir, { mode: 0o755 });
    const result = await runCli(
      [
        'upload',
        file('private.txt', 10),
        '--list',
        'Work',
        '--task',
        'Design review notes',
        ...at(dataDir),
      ],
      { TASKDROP_ACCESS_TOKEN: sim.testToken },
    );
    expect(result.code).toBe(0);
    const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
    expect(mode(dataDir)).toBe('700');
    for (const name of readdirSync(dataDir, { recursive: true, encoding: 'utf8' })) {
      const path = join(dataDir, name);
      expect(mode(path), name).toBe(statSync(path).isDirectory() ? '700' : '600');
    }
    expect(existsSync(join(dataDir, 'queue.backup.sqlite3'))).toBe(true);
  });
});

/** A queue with four jobs waiting (paused, so none runs), and its data folder. */
async function queueOfFour(dataDir: string): Promise<string[]> {
  const paths = [1, 2, 3, 4].map((n) => file(`${dataDir.split('/').pop()}-${n}.txt`, 100));
  const first = await runCli(['queue', ...at(dataDir)], env);
  expect(first.code).toBe(0);
  const db = new Database(join(dataDir, 'queue.sqlite3'));
  const insert = db.prepare(
    `INSERT INTO jobs (state, source_path, file_name, content_type, size, mtime_ms, account_id,
       list_id, task_id, list_name, task_title, created_at, updated_at)
     VALUES ('paused', ?, ?, 'text/plain', 100, 0, 'token', 'L', 'T', 'Work', 'Notes', 1, 1)`,
  );
  for (const path of paths) insert.run(path, path.split('/').pop());
  db.close();
  // A start of taskdrop backs the queue up as it is.
  expect((await runCli(['queue', ...at(dataDir)], env)).code).toBe(0);
  return paths;
}

/** The queue's jobs as `taskdrop queue --json` lists them. */
const queued = async (dataDir: string): Promise<{ id: number; state: string }[]> => {
  const result = await runCli(['queue', '--json', ...at(dataDir)], env);
  expect(result.code).toBe(0);
  return result.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: number; state: string });
};

describe('a queue file that cannot be read', () => {
  it('is never replaced: cut to 0 bytes, it is named, left alone, and the backup restores it', async () => {
    const dataDir = join(dir, 'truncated');
    await queueOfFour(dataDir);
    const queueFile = join(dataDir, 'queue.sqlite3');
    truncateSync(queueFile, 0);
    const result = await runCli(['queue', ...at(dataDir)], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `The queue file ${queueFile} is damaged (it is empty: 0 bytes)`,
    );
    expect(result.stderr).not.toMatch(noStack);
    expect(statSync(queueFile).size).toBe(0);
    const [restore, fresh] = commandsIn(result.stderr);
    expect(fresh).toMatch(/^mv '.*queue\.sqlite3' '.*queue\.damaged-[\dT-]+Z\.sqlite3'$/);
    expect(spawnSync('sh', ['-c', restore!]).status).toBe(0);
    expect(await queued(dataDir)).toHaveLength(4);
  });

  it('full of garbage: the same plain words, the file kept, and starting fresh as told works', async () => {
    const dataDir = join(dir, 'garbage');
    await queueOfFour(dataDir);
    const queueFile = join(dataDir, 'queue.sqlite3');
    const garbage = randomBytes(8192);
    writeFileSync(queueFile, garbage);
    const result = await runCli(['queue', ...at(dataDir)], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The queue file ${queueFile} is damaged`);
    expect(result.stderr).not.toMatch(noStack);
    expect(sha256Of(readFileSync(queueFile))).toBe(sha256Of(garbage));
    const [, fresh] = commandsIn(result.stderr);
    expect(spawnSync('sh', ['-c', fresh!]).status).toBe(0);
    expect(await queued(dataDir)).toEqual([]);
    expect(readdirSync(dataDir).some((name) => /^queue\.damaged-.*\.sqlite3$/.test(name))).toBe(
      true,
    );
  });
});

/** The commands a damaged-queue message gives: to restore the backup, then to start fresh. */
function commandsIn(message: string): string[] {
  return message
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim());
}

describe('a queue that cannot be written', () => {
  it('on a full disk: the drop is refused as not queued, and the queue is as it was', async (context) => {
    const disk = smallDisk(dir, 'full-disk', 2048);
    if (disk === null) return context.skip();
    try {
      const dataDir = join(disk.path, 'data');
      await queueOfFour(dataDir);
      const before = await queued(dataDir);
      // Fill what is left, to the last block.
      disk.fill();
      const drop = await runCli(
        [
          'upload',
          file('no-room.txt', 10),
          '--list',
          'Work',
          '--task',
          'Design review notes',
          ...at(dataDir),
        ],
        env,
      );
      expect(drop.stderr).toContain('is full, so the queue could not be saved; it is as it was');
      expect(drop.stderr).not.toMatch(noStack);
      expect(drop.code).toBe(1);
      const cancel = await runCli(['cancel', 'all', ...at(dataDir)], env);
      expect(cancel.stderr).toContain('is full, so the queue could not be saved; it is as it was');
      expect(cancel.stderr).not.toMatch(noStack);
      expect(cancel.code).toBe(1);
      rmSync(join(disk.path, 'filler'));
      expect(await queued(dataDir)).toEqual(before);
      expect(before.map((job) => job.state)).toEqual(['paused', 'paused', 'paused', 'paused']);
      expect(attachedNamed('no-room.txt')).toEqual([]);
    } finally {
      disk.unmount();
    }
  });

  /** Ranges that are answered only after a second: the disk fills while one is on its way. */
  function slowRanges(): { id: string } {
    return sim.control.addFault({
      operation: 'uploadContent',
      times: 0,
      action: { type: 'delay', ms: 1_000 },
    });
  }

  const rangesAcknowledged = (since: number): number =>
    sim.control
      .requests(since)
      .filter((entry) => entry.operation === 'uploadContent' && entry.status === 200).length;

  /** `taskdrop upload` of a 12 MB file queued on `disk`, once its first range is acknowledged. */
  async function uploadUnderWay(disk: SmallDisk, name: string, logDir: string) {
    const dataDir = join(disk.path, 'data');
    const source = file(name, 12_000_000);
    const since = sim.control.requests().at(-1)?.seq ?? 0;
    const child = spawnCli(
      ['upload', source, '--list', 'Work', '--task', 'Design review notes', ...at(dataDir)],
      { ...env, TASKDROP_LOG_DIR: logDir },
    );
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const finishing = finished(child, 90_000);
    await waitUntil(() => rangesAcknowledged(since) > 0, 'the first range acknowledged', 30_000);
    return { dataDir, source, since, child, finishing, stdout: () => stdout };
  }

  /** Once there is room again: the CLI ends well, the file attached once, byte-identical. */
  async function attachedOnceAfter(
    finishing: ReturnType<typeof finished>,
    name: string,
    source: string,
  ): Promise<void> {
    const result = await finishing;
    expect(result.stderr).not.toMatch(noStack);
    expect(result.stdout).toContain(`✓ ${name} attached`);
    expect(result.code).toBe(0);
    const attached = attachedNamed(name);
    expect(attached).toHaveLength(1);
    const bytes = sim.control.attachmentBytes(attached[0]?.id ?? '');
    expect(sha256Of(bytes ?? Buffer.alloc(0))).toBe(sha256Of(readFileSync(source)));
  }

  it('mid-upload: the job says in plain words the disk is full and what to do, then goes on once there is room, attached once', async (context) => {
    const disk = smallDisk(dir, 'full-mid-upload', 4096);
    if (disk === null) return context.skip();
    const slow = slowRanges();
    try {
      // The log fills up with the queue: it must not stop anything either.
      const upload = await uploadUnderWay(disk, 'mid-upload.bin', join(disk.path, 'logs'));
      const { dataDir } = upload;
      disk.fill();
      await waitUntil(
        () => upload.stdout().includes('is full'),
        'the job saying the disk is full',
        30_000,
      );
      const said =
        upload
          .stdout()
          .split('\n')
          .find((line) => line.includes('is full')) ?? '';
      expect(said).toContain(`mid-upload.bin: The disk holding ${dataDir} is full`);
      expect(said).toContain('nothing is lost. Free some space on that disk');
      // What was sent stays on the server, for the upload to go on from (rule 3).
      const session = sim.control.sessions().find((entry) => entry.name === 'mid-upload.bin');
      expect(session?.nextOffset).toBeGreaterThan(0);
      expect(attachedNamed('mid-upload.bin')).toEqual([]);
      rmSync(join(disk.path, 'filler'));
      await attachedOnceAfter(upload.finishing, 'mid-upload.bin', upload.source);
      const [job] = await queued(dataDir);
      expect(job).toMatchObject({ state: 'done', problem: null });
    } finally {
      sim.control.removeFault(slow.id);
      disk.unmount();
    }
  });

  it('mid-upload, a disk that fills past the reserve: no crash, and once there is room the file is attached once', async (context) => {
    const disk = smallDisk(dir, 'past-the-reserve', 4096);
    if (disk === null) return context.skip();
    const slow = slowRanges();
    try {
      const name = 'past-the-reserve.bin';
      const upload = await uploadUnderWay(disk, name, join(dir, 'past-the-reserve-logs'));
      // Something else takes the disk, the reserve too (as if it refilled between a check and a
      // write): even why the upload stopped cannot be written at first.
      rmSync(join(upload.dataDir, reserveFileName), { force: true });
      disk.fill();
      const before = rangesAcknowledged(upload.since);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      // A window where nothing may happen: the CLI lives on, and no range is sent it cannot record.
      expect(upload.child.exitCode).toBeNull();
      expect(rangesAcknowledged(upload.since) - before).toBeLessThanOrEqual(1);
      expect(attachedNamed(name)).toEqual([]);
      rmSync(join(disk.path, 'filler'));
      await attachedOnceAfter(upload.finishing, name, upload.source);
    } finally {
      sim.control.removeFault(slow.id);
      disk.unmount();
    }
  });

  it('in a read-only folder: says it cannot write there, without a stack', async (context) => {
    const disk = smallDisk(dir, 'read-only', 2048);
    if (disk === null) return context.skip();
    try {
      const dataDir = join(disk.path, 'data');
      await queueOfFour(dataDir);
      disk.run(['mount', '-o', 'remount,ro', disk.path]);
      const result = await runCli(['queue', ...at(dataDir)], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`taskdrop cannot write its queue in ${dataDir}`);
      expect(result.stderr).not.toMatch(noStack);
    } finally {
      disk.unmount();
    }
  });
});

describe('queue.owner naming a process that is gone', () => {
  it.skipIf(process.platform !== 'linux')(
    'waits for the lock to come free and takes over, instead of refusing in the name of a dead pid',
    async () => {
      const dataDir = join(dir, 'stale-owner');
      expect((await runCli(['queue', ...at(dataDir)], env)).code).toBe(0);
      const queueFile = join(dataDir, 'queue.sqlite3');
      // Something else holds the lock a moment (a taskdrop starting, or closing) ...
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(${JSON.stringify(queueFile)});
           db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE; COMMIT;');
           process.stdout.write('locked\\n'); setTimeout(() => {}, 60000);`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      // ... while queue.owner still names a process that has ended.
      const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']);
      writeFileSync(join(dataDir, 'queue.owner'), `pid ${gone.stdout.toString().trim()}`);
      const child = spawnCli(['queue', ...at(dataDir)], env);
      const result = finished(child);
      await waitUntil(() => holdsOpen(child.pid!, queueFile), 'taskdrop to try the queue', 20_000);
      // Longer than a start waits for a lock held by a live taskdrop (200 ms).
      await new Promise((resolve) => setTimeout(resolve, 700));
      holder.kill('SIGKILL');
      const done = await result;
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
    },
  );
});

function holdsOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}
