import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView, TaskTarget } from '../../preload/shared/contract.ts';
import { applySignIn, signOutOf } from '../../main/core/auth/microsoft-accounts.ts';
import { signInAgainMessage } from '../../main/core/auth/msal-errors.ts';
import type { AccountConfig } from '../../main/core/engine/accounts.ts';
import { Engine } from '../../main/core/engine/engine.ts';
import type { RunningSimulator } from '../../main/simulator/index.ts';
import {
  expectAttachedOnce,
  firstTask,
  requestsFor,
  settle,
  smallRanges,
} from '../support/engine-harness.ts';
import {
  authRig,
  filesUnder,
  newTaskFor,
  readSealedCache,
  signInByDeviceCode,
  eventually,
  type AuthRig,
} from './support.ts';

const rangeSize = smallRanges.rangeSize;
const fileSize = 16 * rangeSize + 1234;

let rig: AuthRig;
const engines: Engine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  await rig.close();
});

function openEngine(accounts: AccountConfig[]): Engine {
  const engine = Engine.open({
    dataDir: rig.dataDir,
    accounts,
    tokens: rig.accounts.tokens,
    retry: { baseDelayMs: 50, maxDelayMs: 400 },
    progressIntervalMs: 50,
    ...smallRanges,
  });
  engines.push(engine);
  engine.start();
  return engine;
}

function file(name: string, size = fileSize): string {
  const path = join(rig.dir, name);
  writeFileSync(path, randomBytes(size));
  return path;
}

/** Slows every range down, so there is time to act in the middle of an upload. */
function slowRanges(sim: RunningSimulator, ms = 25): void {
  sim.control.addFault({ operation: 'uploadContent', times: 0, action: { type: 'delay', ms } });
}

const someRangesIn = (sim: RunningSimulator): boolean =>
  sim.control.sessions().some((session) => session.nextOffset >= 3 * rangeSize);

async function targetOf(account: AccountConfig): Promise<TaskTarget> {
  return { ...(await firstTask(rig.sim, 'Receipts 2026')), accountId: account.id };
}

async function enqueue(engine: Engine, target: TaskTarget, paths: string[]): Promise<number[]> {
  const result = await engine.enqueue({ paths, target });
  expect(result.refused).toEqual([]);
  return result.accepted.map((job) => job.id);
}

/**
 * Every range was received once (a 401 is answered before the body is read): the bytes the
 * simulator read, less the JSON of the other requests, are the files' sizes.
 */
function expectEachRangeOnce(sim: RunningSimulator, totalBytes: number): void {
  const otherBodies = sim.control
    .requests()
    .filter((entry) => entry.operation !== 'uploadContent')
    .reduce((sum, entry) => sum + entry.bodyBytes, 0);
  expect(sim.control.counters().bytesReceived - otherBodies).toBe(totalBytes);
  const accepted = requestsFor(sim, 'uploadContent').filter((entry) => entry.status < 300);
  const ranges = accepted.map((entry) => `${entry.path} ${entry.contentRange ?? ''}`);
  expect(new Set(ranges).size).toBe(ranges.length);
}

describe('a signed-in Microsoft account in the engine', () => {
  it('refreshes silently when the access token expires in the middle of an upload', async () => {
    rig = await authRig({ identity: { accessTokenLifetimeMs: 60_000 } }, { reuseMarginMs: 0 });
    const account = await signInByDeviceCode(rig.accounts, rig.sim);
    const engine = openEngine([account]);
    slowRanges(rig.sim);
    const ids = await enqueue(engine, await targetOf(account), [file('scan.pdf')]);
    await eventually(() => someRangesIn(rig.sim), 'the first ranges');
    // The server's clock passes the token's expiry; taskdrop's still thinks it is fresh.
    rig.sim.control.advanceClock(61_000);

    const [job] = await settle(engine, ids);
    expectAttachedOnce(rig.sim, job!);
    expect(rig.sim.control.counters().byStatus['401']).toBeGreaterThanOrEqual(1);
    expect(rig.sim.control.identity.counters().grants.refresh_token).toBeGreaterThanOrEqual(1);
    expectEachRangeOnce(rig.sim, fileSize);
  });

  it('moves the jobs to needs-sign-in when the refresh token is revoked, and finishes them after a new sign-in', async () => {
    rig = await authRig({ identity: { accessTokenLifetimeMs: 60_000 } }, { reuseMarginMs: 0 });
    const account = await signInByDeviceCode(rig.accounts, rig.sim);
    const engine = openEngine([account]);
    const published: boolean[] = [];
    engine.on('accountsChanged', (accounts) => published.push(accounts[0]?.signedIn ?? true));
    slowRanges(rig.sim);
    const paths = [file('a.pdf'), file('b.pdf'), file('c.pdf'), file('d.pdf')];
    const ids = await enqueue(engine, await targetOf(account), paths);
    await eventually(() => someRangesIn(rig.sim), 'the first ranges');
    rig.sim.control.identity.revokeRefreshTokens();
    rig.sim.control.advanceClock(61_000);

    const waiting = await settle(engine, ids, ['needs-sign-in', 'done']);
    const stuck = waiting.filter((job) => job.state === 'needs-sign-in');
    expect(stuck.length).toBeGreaterThan(0);
    for (const job of stuck) {
      expect(job.problem?.message).toBe(signInAgainMessage(account.label));
      expect(job.problem?.nextStep).toBe('sign-in');
    }
    expect((await engine.listAccounts())[0]?.signedIn).toBe(false);
    // Published once when the scheduler found out, so Settings offers "Sign in again".
    expect(published).toEqual([false]);
    const partly = rig.sim.control.sessions().filter((session) => session.nextOffset > 0);
    expect(partly.length).toBeGreaterThan(0);

    const again = await signInByDeviceCode(rig.accounts, rig.sim);
    expect(again.id).toBe(account.id);
    applySignIn(engine, again);
    expect(published.at(-1)).toBe(true);
    const finished = await settle(engine, ids);
    for (const job of finished) expectAttachedOnce(rig.sim, job);
    expectEachRangeOnce(rig.sim, fileSize * paths.length);
  });

  it('keeps the other account going when one signs out; the one signed out waits', async () => {
    rig = await authRig();
    const robin = rig.sim.control.addUser('Robin Work', 'robin@contoso.example');
    const demo = await signInByDeviceCode(rig.accounts, rig.sim);
    const work = await signInByDeviceCode(rig.accounts, rig.sim, robin.id);
    const engine = openEngine([demo, work]);
    slowRanges(rig.sim);
    const demoIds = await enqueue(engine, await targetOf(demo), [file('d1.pdf'), file('d2.pdf')]);
    const workTarget = await newTaskFor(rig.sim, work.id, robin.id, 'Contract scans');
    const workIds = await enqueue(engine, workTarget, [file('w1.pdf'), file('w2.pdf')]);

    expect(await signOutOf(engine, rig.accounts, demo.id)).toBe(true);
    const demoJobs = await settle(engine, demoIds, ['needs-sign-in']);
    const workJobs = await settle(engine, workIds, ['done']);
    for (const job of workJobs) {
      const stored = rig.sim.control.attachments().filter((item) => item.name === job.fileName);
      expect(stored.map((item) => item.id)).toEqual([job.attachmentId]);
      expect(stored[0]?.userId).toBe(robin.id);
    }
    for (const job of demoJobs) expect(job.problem?.nextStep).toBe('sign-in');
    expect((await engine.listAccounts()).map((view) => view.id)).toEqual([work.id]);
    const owners = Object.values((await readSealedCache(rig)).RefreshToken).map(
      (token) => token.home_account_id,
    );
    expect(owners).toEqual([work.id]);

    // Back again: the waiting files go where they were going, once.
    applySignIn(engine, await signInByDeviceCode(rig.accounts, rig.sim));
    const resumed: JobView[] = await settle(engine, demoIds, ['done']);
    for (const job of [...resumed, ...workJobs]) expectAttachedOnce(rig.sim, job);
  });

  it('leaves no token in plain text in any file of the data folder', async () => {
    rig = await authRig({ identity: { accessTokenLifetimeMs: 60_000 } }, { reuseMarginMs: 0 });
    const account = await signInByDeviceCode(rig.accounts, rig.sim);
    const engine = openEngine([account]);
    const ids = await enqueue(engine, await targetOf(account), [
      file('x.pdf'),
      file('y.pdf', 5_000),
    ]);
    await settle(engine, ids, ['done']);
    rig.sim.control.advanceClock(61_000);
    // A refresh after the upload: new tokens, written to the cache too.
    await rig.accounts.tokens.getAccessToken(account.id, { forceRefresh: true });
    await engine.close();

    const issued = rig.sim.control.identity.issued();
    const secrets = [...issued.refreshTokens, ...issued.accessTokens];
    expect(issued.refreshTokens.length).toBeGreaterThanOrEqual(2);
    const files = filesUnder(rig.dataDir);
    expect(files.some((path) => path.endsWith('msal-cache.sealed'))).toBe(true);
    expect(files.some((path) => path.endsWith('queue.sqlite3'))).toBe(true);
    for (const path of files) {
      const bytes = readFileSync(path);
      for (const secret of secrets) {
        expect(bytes.includes(secret), `${path} holds a token`).toBe(false);
        expect(bytes.includes(Buffer.from(secret).toString('base64')), `${path}: base64`).toBe(
          false,
        );
      }
    }
    // The sealed cache does hold them: the scan looked in the right place.
    const cache = await readSealedCache(rig);
    expect(Object.values(cache.RefreshToken).map((token) => token.secret)).toContain(
      issued.refreshTokens.at(-1),
    );
  });
});
