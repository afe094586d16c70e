import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plaintextCachePath } from '../../main/core/auth/token-store.ts';
import {
  startSimulator,
  type RunningSimulator,
  type UserInfo,
} from '../../main/simulator/index.ts';
import { finished, runCli, spawnCli, type CliResult } from '../support/cli.ts';
import { clientId } from './support.ts';

let sim: RunningSimulator;
let dir: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;
let robin: UserInfo;

beforeAll(async () => {
  sim = await startSimulator({ identity: { devicePollIntervalSeconds: 0.05 } });
  robin = sim.control.addUser('Robin Work', 'robin@contoso.example');
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-cli-auth-'));
  dataDir = join(dir, 'data');
  env = {
    TASKDROP_LOGIN_SERVICE: sim.origin,
    TASKDROP_ACCESS_TOKEN: '',
    TASKDROP_CLIENT_ID: '',
    // No secret-tool or security on the PATH: this machine has no keychain, deterministically.
    PATH: dirname(process.execPath),
  };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const common = (): string[] => ['--data-dir', dataDir, '--graph-url', sim.graphUrl];

/** Runs `taskdrop login`, approving the printed code as `user` the moment it shows. */
async function login(args: string[], user?: string): Promise<CliResult> {
  const child = spawnCli(['login', ...args, ...common()], env);
  let seen = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    const code = /enter the code ([A-Z0-9]{9})/.exec(seen)?.[1];
    if (code !== undefined && !seen.includes('approved')) {
      seen += ' approved';
      sim.control.identity.approveDevice(code, user);
    }
  });
  return finished(child);
}

function file(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, randomBytes(200_000));
  return path;
}

describe('taskdrop login, whoami, logout', () => {
  it('refuses to sign in without a client id', async () => {
    const result = await runCli(['login', ...common()], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client-id');
  });

  it('will not keep tokens unencrypted unless asked, when there is no keychain', async () => {
    const result = await runCli(['login', '--client-id', clientId, ...common()], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No OS keychain was found');
    expect(result.stderr).toContain('--plaintext-token-cache');
  });

  it('says who is signed in: nobody yet', async () => {
    const result = await runCli(['whoami', ...common()], env);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('Not signed in.');
  });

  it('signs in with the device code, after a printed warning about the plain-text file', async () => {
    const result = await login(['--client-id', clientId, '--plaintext-token-cache']);
    expect(result.stderr).toContain('UNENCRYPTED');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/open the page http:\/\/127\.0\.0\.1:\d+\/devicelogin/);
    expect(result.stdout).toContain('Signed in as demo@taskdrop.example.');
    expect(statSync(plaintextCachePath(dataDir)).mode & 0o777).toBe(0o600);

    const who = await runCli(['whoami', ...common()], env);
    expect(who.code).toBe(0);
    expect(who.stdout).toContain('demo@taskdrop.example (Demo User; id ');
  });

  it('uploads as the signed-in account', async () => {
    const path = file('receipt.pdf');
    const result = await runCli(
      ['upload', path, '--list', 'Receipts 2026', '--task', 'Phone bill March', ...common()],
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sim.control.attachments().map((attachment) => attachment.name)).toContain('receipt.pdf');
  });

  it('adds a second account; with two, --account chooses', async () => {
    const result = await login([], robin.id);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Signed in as robin@contoso.example.');
    const path = file('contract.pdf');
    const target = ['--list', 'Tasks', '--task', 'Contract scans', '--create-task'];
    const ambiguous = await runCli(['upload', path, ...target, ...common()], env);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('choose one with --account');
    const chosen = await runCli(
      ['upload', path, ...target, '--account', 'robin@contoso.example', ...common()],
      env,
    );
    expect(chosen.code, chosen.stderr).toBe(0);
    const stored = sim.control
      .attachments()
      .find((attachment) => attachment.name === 'contract.pdf');
    expect(stored?.userId).toBe(robin.id);
  });

  it('signs out of one account and keeps the other', async () => {
    const ambiguous = await runCli(['logout', ...common()], env);
    expect(ambiguous.code).toBe(2);
    const result = await runCli(['logout', 'robin@contoso.example', ...common()], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Signed out of robin@contoso.example.');
    const who = await runCli(['whoami', '--json', ...common()], env);
    const accounts = who.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { account: { username: string } }).account.username);
    expect(accounts).toEqual(['demo@taskdrop.example']);
  });

  it('exits 3 with a plain message once the sign-in is revoked', async () => {
    sim.control.identity.revokeRefreshTokens();
    sim.control.advanceClock(3_601_000);
    const result = await runCli(['lists', ...common()], env);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      'Microsoft needs you to sign in again as demo@taskdrop.example (the sign-in expired or was revoked).',
    );
    expect(result.stderr).not.toContain('simrt.');
    expect(result.stderr).not.toContain('AADSTS');
  });
});
