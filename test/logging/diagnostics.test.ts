import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobStates, type WatchedFolderView } from '../../preload/shared/contract.ts';
import { dispatchCommand } from '../../main/core/api/dispatch.ts';
import type { Engine } from '../../main/core/engine/engine.ts';
import { diagnosticsReport, labelHint } from '../../main/core/logging/diagnostics.ts';
import { RotatingLogFile } from '../../main/core/logging/log-file.ts';
import { createLogger, type Logger } from '../../main/core/logging/logger.ts';
import packageJson from '../../package.json' with { type: 'json' };
import {
  harness,
  settle,
  simAccountId,
  smallRanges,
  type Harness,
} from '../support/engine-harness.ts';

let h: Harness;
let log: Logger;
let engine: Engine;

beforeEach(async () => {
  h = await harness();
  log = createLogger({ sink: new RotatingLogFile({ dir: join(h.dir, 'logs') }) });
  engine = h.open({
    ...smallRanges,
    log,
    runtimeVersions: { Electron: '45.4.1', Chromium: '142.0.7444.52' },
    accounts: [
      {
        id: simAccountId,
        graphUrl: h.sim.graphUrl,
        label: 'ada.lovelace@contoso.example',
        kind: 'microsoft',
      },
    ],
  });
});

afterEach(async () => {
  await h.close();
  log.close();
});

describe('Copy diagnostics, over the real engine', () => {
  it('reports versions, settings, a hint of the account, queue and folder states, and the last errors', async () => {
    await engine.updateSettings({ maxConcurrentUploads: 2 });
    await engine.addWatchedFolder({ path: h.dir, target: h.target });
    const missing = h.file('vanished.pdf', 2_000);
    const refused = h.file('refused.pdf', 100_000);
    const fine = h.file('fine.pdf', 3_000);
    const { accepted } = await engine.enqueue({
      paths: [missing, refused, fine],
      target: h.target,
    });
    rmSync(missing);
    h.sim.control.addFault({
      operation: 'createUploadSession',
      action: { type: 'status', status: 403, code: 'ErrorAccessDenied' },
    });
    engine.start();
    const jobs = await settle(
      engine,
      accepted.map((job) => job.id),
    );
    expect(jobs.map((job) => job.state).sort()).toEqual(['done', 'failed', 'failed']);
    const denied = jobs.find((job) => job.problem?.graphCode === 'ErrorAccessDenied');
    expect(denied?.problem?.requestId).toBeTruthy();

    const report = await engine.diagnostics();

    expect(report).toContain(`taskdrop: ${packageJson.version}`);
    expect(report).toContain(`Node.js:  ${process.versions.node}`);
    expect(report).toContain('Electron: 45.4.1');
    expect(report).toContain('Chromium: 142.0.7444.52');
    expect(report).toMatch(/OS: +linux /);
    expect(report).toMatch(/maxConcurrentUploads: +2/);
    expect(report).toMatch(/uploadBudgetMb: +150/);
    expect(report).toContain('microsoft account a***@c***.example: signed in');
    expect(report).not.toContain('lovelace');
    expect(report).toContain('done 1, failed 2');
    expect(report).toMatch(
      /Watched folders \(1\)\n {2}stopped 1\n {2}#\d+ stopped \(after: keep\)/,
    );
    // The last errors, with what to look up: the Graph code and the request-id.
    expect(report).toMatch(/ERROR upload failed .*"file":"vanished\.pdf".*"kind":"file"/);
    expect(report).toMatch(
      new RegExp(
        `ERROR upload failed .*"file":"refused\\.pdf".*"status":403,"graphCode":"ErrorAccessDenied","requestId":"${denied?.problem?.requestId ?? 'none'}"`,
      ),
    );
    expect(report).toContain(`Log file\n  ${join(h.dir, 'logs', 'taskdrop.log')}`);

    // The same records are in the file, one JSON line each.
    const lines = readFileSync(join(h.dir, 'logs', 'taskdrop.log'), 'utf8')
      .trim()
      .split('\n');
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'queue opened',
        'settings changed',
        'files queued',
        'uploads started',
        'upload done',
        'upload failed',
      ]),
    );
    expect(messages.filter((message) => message === 'files queued')).toHaveLength(1);
  });

  it('holds no token or URL secret, even when one reached a record or a folder error', async () => {
    const token = h.sim.control.issueToken().accessToken;
    const uploadUrl = `${h.sim.graphUrl}/users/u1/todo/lists/L/tasks/T/attachmentSessions/S1`;
    log.child({ part: 'upload' }).warn(`PUT ${uploadUrl}/content?tempauth=t3mpauth-secret failed`, {
      headers: { Authorization: `Bearer ${token}` },
      error: new Error(`the server refused ${token}`),
    });
    const report = await engine.diagnostics();
    expect(report).not.toContain(token);
    expect(report).not.toContain('t3mpauth-secret');
    expect(report).toContain(`${uploadUrl}/content?tempauth=[redacted]`);
  });

  it('is a command of the contract, answered through the dispatcher, and says where the log is', async () => {
    const answer = await dispatchCommand(engine, 'diagnostics', []);
    expect(answer).toMatchObject({
      ok: true,
      value: expect.stringContaining('taskdrop diagnostics'),
    });
    expect((await engine.appInfo()).logFile).toBe(join(h.dir, 'logs', 'taskdrop.log'));
  });
});

describe('the report', () => {
  const folder = (state: WatchedFolderView['status']['state'], lastError: string | null) =>
    ({
      id: 4,
      path: '/home/ada/Scans',
      status: {
        state,
        filesSeen: 3,
        waiting: 0,
        queued: 0,
        uploaded: 2,
        failed: 1,
        skipped: 0,
        lastError,
        lastErrorAt: 0,
      },
      recursive: true,
      poll: false,
      afterUpload: 'move',
    }) as WatchedFolderView;

  it('names no home folder, no folder path, and shortens every account label', () => {
    const byState = Object.fromEntries(jobStates.map((state) => [state, 0])) as Record<
      (typeof jobStates)[number],
      number
    >;
    const report = diagnosticsReport({
      at: 0,
      versions: { taskdrop: '0.1.0' },
      settings: {
        maxConcurrentUploads: 3,
        uploadBudgetMb: 150,
        startAtLogin: false,
        allowWeakTokenStorage: false,
        globalShortcut: null,
      },
      accounts: [{ id: 'a', label: 'Demo account', kind: 'demo', signedIn: true }],
      queue: { total: 0, byState, overallPercent: 0 },
      folders: [folder('folder-missing', '/home/ada/Scans is not there (unplugged?)')],
      problems: [],
      logFile: '/home/ada/.config/taskdrop/logs/taskdrop.log',
      home: '/home/ada',
    });
    expect(report).not.toContain('/home/ada');
    expect(report).toContain('~/.config/taskdrop/logs/taskdrop.log');
    expect(report).toContain(
      '#4 folder-missing (recursive, after: move): 3 seen, 0 waiting, 0 queued, 2 uploaded, 1 failed, 0 skipped; last error 1970-01-01T00:00:00.000Z: ~/Scans is not there (unplugged?)',
    );
    expect(report).toContain('demo account D***: signed in');
    expect(report).toMatch(/Recent problems \(last 20, oldest first\)\n {2}none/);
  });

  it('hints at who an account is without saying it', () => {
    expect(labelHint('demo@taskdrop.example')).toBe('d***@t***.example');
    expect(labelHint('ada@contoso.co.uk')).toBe('a***@c***.uk');
    expect(labelHint('Token from TASKDROP_ACCESS_TOKEN')).toBe('T***');
    expect(labelHint('  ')).toBe('?***');
  });
});
