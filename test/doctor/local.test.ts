import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCheck } from '../../main/core/doctor/local-checks.ts';
import { openQueueDatabase } from '../../main/core/queue/database.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { clientId } from '../auth/support.ts';
import { finished, runCli, spawnCli, type CliResult } from '../support/cli.ts';

let sim: RunningSimulator;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startSimulator({ identity: { devicePollIntervalSeconds: 0.05 } });
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-doctor-'));
  env = { TASKDROP_ACCESS_TOKEN: sim.testToken, PATH: '' };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function doctor(dataDir: string, extra: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
  return runCli(
    ['doctor', '--json', '--graph-url', sim.graphUrl, '--data-dir', dataDir, ...extra],
    { ...env, ...extraEnv },
  );
}

function checks(result: CliResult): Map<string, LocalCheck> {
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LocalCheck);
  return new Map(lines.map((line) => [line.check, line]));
}

function check(result: CliResult, id: string): LocalCheck {
  const found = checks(result).get(id);
  if (found === undefined) throw new Error(`no "${id}" check in:\n${result.stdout}`);
  return found;
}

describe('taskdrop doctor (local checks)', () => {
  it('passes every check on a healthy data folder, one line each', async () => {
    const dataDir = join(dir, 'healthy');
    const made = await runCli(['queue', '--graph-url', sim.graphUrl, '--data-dir', dataDir], env);
    expect(made.code).toBe(0);
    chmodSync(dataDir, 0o700);
    const result = await doctor(dataDir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect([...checks(result).keys()]).toEqual([
      'data-folder',
      'secrets',
      'queue',
      'token-cache',
      'account',
      'clock',
      'disk-space',
    ]);
    expect([...checks(result).values()].map((line) => line.status)).toEqual(Array(7).fill('ok'));
    expect(check(result, 'queue').verdict).toContain('intact: 0 job(s)');
    expect(check(result, 'account').verdict).toContain('To Do accepts its token');

    const text = await runCli(['doctor', '--graph-url', sim.graphUrl, '--data-dir', dataDir], env);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines.every((line) => line.startsWith('✓ '))).toBe(true);
  }, 60_000);

  it('finds a corrupt queue file, says what to do, and leaves the file as it was', async () => {
    const dataDir = join(dir, 'corrupt');
    mkdirSync(dataDir, { mode: 0o700 });
    const queueFile = join(dataDir, 'queue.sqlite3');
    writeFileSync(
      queueFile,
      Buffer.from('SQLite format 3\0 but not really a database'.repeat(200)),
    );
    const before = createHash('sha256').update(readFileSync(queueFile)).digest('hex');
    const result = await doctor(dataDir);
    expect(result.code).toBe(1);
    const queue = check(result, 'queue');
    expect(queue.status).toBe('fail');
    expect(queue.verdict).toContain('is damaged');
    expect(queue.todo).toContain('move the file aside');
    expect(check(result, 'data-folder').status).toBe('ok');
    expect(createHash('sha256').update(readFileSync(queueFile)).digest('hex')).toBe(before);
  });

  it('finds damage inside a queue that still opens (PRAGMA integrity_check)', async () => {
    const dataDir = join(dir, 'damaged-pages');
    const db = openQueueDatabase(dataDir);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE filler (text TEXT); CREATE INDEX filler_text ON filler (text);');
    const insert = db.prepare('INSERT INTO filler VALUES (?)');
    db.transaction(() => {
      for (let index = 0; index < 2_000; index += 1) insert.run(`row ${index} `.repeat(20));
    })();
    db.close();
    const queueFile = join(dataDir, 'queue.sqlite3');
    const bytes = readFileSync(queueFile);
    // Page 1 (the header and schema) stays; pages further in are overwritten.
    bytes.fill(0x5a, 40 * 4096, 60 * 4096);
    writeFileSync(queueFile, bytes);
    const result = await doctor(dataDir);
    expect(result.code).toBe(1);
    expect(check(result, 'queue')).toMatchObject({ status: 'fail' });
    expect(check(result, 'queue').verdict).toContain('is damaged');
  });

  it('says a queue held by a running taskdrop was not checked, rather than failing', async () => {
    const dataDir = join(dir, 'held');
    const db = openQueueDatabase(dataDir);
    try {
      const result = await doctor(dataDir);
      expect(check(result, 'queue')).toMatchObject({ status: 'warn' });
      expect(check(result, 'queue').todo).toContain('Quit taskdrop');
    } finally {
      db.close();
    }
  });

  it('fails clearly when the data folder cannot be made (a file stands in the way)', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const result = await doctor(join(blocker, 'data'));
    expect(result.code).toBe(1);
    expect(check(result, 'data-folder')).toMatchObject({ status: 'fail' });
    expect(check(result, 'data-folder').verdict).toContain('cannot be');
  });

  // Root writes through any mode, so only another user can see a read-only folder refuse.
  it.skipIf(process.getuid?.() === 0)(
    'fails clearly when the data folder is read-only',
    async () => {
      const dataDir = join(dir, 'read-only');
      mkdirSync(dataDir, { mode: 0o500 });
      const result = await doctor(dataDir);
      expect(check(result, 'data-folder')).toMatchObject({ status: 'fail' });
      expect(check(result, 'data-folder').todo).toContain('chmod u+rwx');
    },
  );

  it('warns of a data folder others can write to, and fails sign-in files others can read', async () => {
    const dataDir = join(dir, 'open');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o777);
    const cache = join(dataDir, 'msal-cache.plaintext.json');
    writeFileSync(cache, '{}');
    chmodSync(cache, 0o644);
    const result = await doctor(dataDir);
    expect(check(result, 'data-folder')).toMatchObject({ status: 'warn' });
    expect(check(result, 'data-folder').todo).toContain('chmod go-w');
    expect(check(result, 'secrets')).toMatchObject({ status: 'fail' });
    expect(check(result, 'secrets').todo).toBe(`chmod 600 "${cache}"`);
  });

  it('reports a token To Do refuses, and what to do', async () => {
    const result = await doctor(join(dir, 'bad-token'), [], { TASKDROP_ACCESS_TOKEN: 'expired' });
    expect(result.code).toBe(1);
    expect(check(result, 'account')).toMatchObject({
      status: 'fail',
      todo: 'Set a fresh token in TASKDROP_ACCESS_TOKEN.',
    });
    expect(check(result, 'account').verdict).toContain('401');
  });

  it('says when nobody is signed in and there is no keychain', async () => {
    const result = await doctor(join(dir, 'nobody'), [], { TASKDROP_ACCESS_TOKEN: '' });
    expect(check(result, 'account')).toMatchObject({ status: 'warn' });
    expect(check(result, 'account').todo).toContain('taskdrop login');
    expect(check(result, 'token-cache')).toMatchObject({ status: 'warn' });
    expect(check(result, 'token-cache').verdict).toContain('No OS keychain');
  });
});

describe('taskdrop doctor with a signed-in Microsoft account', () => {
  const dataDir = () => join(dir, 'signed-in');
  const signInEnv = (): NodeJS.ProcessEnv => ({
    TASKDROP_ACCESS_TOKEN: '',
    TASKDROP_CLIENT_ID: '',
    TASKDROP_LOGIN_SERVICE: sim.origin,
  });

  beforeAll(async () => {
    const child = spawnCli(
      [
        'login',
        '--client-id',
        clientId,
        '--plaintext-token-cache',
        '--graph-url',
        sim.graphUrl,
        '--data-dir',
        dataDir(),
      ],
      { ...env, ...signInEnv() },
    );
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const code = /enter the code ([A-Z0-9]{9})/.exec(seen)?.[1];
      if (code !== undefined && !seen.includes('approved')) {
        seen += ' approved';
        sim.control.identity.approveDevice(code);
      }
    });
    const login = await finished(child);
    expect(login.code, login.stderr).toBe(0);
  });

  it('says where the sign-in is kept and that the account gets a token To Do accepts', async () => {
    const result = await doctor(dataDir(), [], signInEnv());
    expect(check(result, 'token-cache')).toMatchObject({ status: 'warn' });
    expect(check(result, 'token-cache').verdict).toContain('UNENCRYPTED');
    expect(check(result, 'account')).toMatchObject({
      status: 'ok',
      verdict: 'demo@taskdrop.example: To Do accepts its token.',
    });
    expect(check(result, 'secrets')).toMatchObject({ status: 'ok' });
  });

  it('says to sign in again when To Do refuses the account’s token', async () => {
    sim.control.expireTokens();
    sim.control.identity.revokeRefreshTokens();
    const result = await doctor(dataDir(), [], signInEnv());
    expect(result.code).toBe(1);
    expect(check(result, 'account')).toMatchObject({
      status: 'fail',
      todo: 'Sign in again: taskdrop login --account demo@taskdrop.example',
    });
  });
});

describe('taskdrop doctor: the clock against the server', () => {
  let server: Server;
  let graphUrl: string;
  let offsetMs = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.sendDate = false;
      res.writeHead(401, { Date: new Date(Date.now() + offsetMs).toUTCString() });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    graphUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const clockCheck = async (): Promise<LocalCheck> => {
    const result = await runCli(
      ['doctor', '--json', '--graph-url', graphUrl, '--data-dir', join(dir, 'clock')],
      { ...env, TASKDROP_ACCESS_TOKEN: '' },
    );
    return check(result, 'clock');
  };

  it('agrees with a server on time', async () => {
    offsetMs = 0;
    expect(await clockCheck()).toMatchObject({ status: 'ok' });
  });

  it('fails a clock ten minutes off and says to turn on automatic time', async () => {
    offsetMs = -10 * 60_000;
    const clock = await clockCheck();
    expect(clock.status).toBe('fail');
    expect(clock.verdict).toMatch(/clock is 6\d\d s ahead of 127\.0\.0\.1:\d+/);
    expect(clock.todo).toContain('automatic time');
  });
});
