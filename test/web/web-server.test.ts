import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../main/core/engine/engine.ts';
import { startWebServer, type RunningWebServer } from '../../main/web/web-server.ts';
import { harness, settle, sha256Of, type Harness } from '../support/engine-harness.ts';
import { dropFiles, openCommandSocket, type CommandSocket } from '../support/web-socket.ts';

let h: Harness;
let engine: Engine;
let web: RunningWebServer;
let staticDir: string;

beforeAll(async () => {
  h = await harness();
  engine = h.open();
  engine.start();
  staticDir = mkdtempSync(join(tmpdir(), 'taskdrop-static-'));
  writeFileSync(
    join(staticDir, 'index.html'),
    `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; connect-src 'none'"><title>taskdrop</title>`,
  );
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  web = await startWebServer({ api: engine, staticDir, stageDir: join(h.dir, 'staged') });
});
afterAll(async () => {
  await web.close();
  await h.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const open = (options: { secret?: string; origin?: string } = {}): Promise<CommandSocket> =>
  openCommandSocket(web, options);

describe('the local WebSocket transport', () => {
  it('serves the built UI with a strict CSP, and nothing outside it', async () => {
    const page = await fetch(web.origin);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src ${web.origin.replace('http', 'ws')}`);
    // The page's own (the app's) meta policy would block the socket: it is served replaced.
    const html = await page.text();
    expect(html).toContain(`connect-src ${web.origin.replace('http', 'ws')}`);
    expect(html).not.toContain("connect-src 'none'");
    expect(html).not.toContain('frame-ancestors');
    expect((await fetch(`${web.origin}/assets/app.js`)).status).toBe(200);
    expect((await fetch(`${web.origin}/..%2f..%2fetc%2fpasswd`)).status).toBeGreaterThanOrEqual(
      403,
    );
  });

  it('refuses sockets without this run’s secret or from another origin', async () => {
    await expect(open({ secret: 'guess' })).rejects.toThrow('refused: 403');
    await expect(open({ origin: 'http://evil.example' })).rejects.toThrow('refused: 403');
  });

  it('answers commands of the contract and turns bad ones into typed failures', async () => {
    const socket = await open();
    try {
      const accounts = await socket.call('listAccounts', []);
      expect(accounts).toMatchObject({ ok: true, value: [{ id: 'sim', signedIn: true }] });
      const info = await socket.call('appInfo', []);
      expect(info['value']).toMatchObject({ transport: 'websocket', dropsCarryPaths: false });
      expect(await socket.call('dropDatabase', [])).toMatchObject({
        ok: false,
        failure: { kind: 'unknown-command' },
      });
      expect(await socket.call('pause', [{ ids: ['1; DROP TABLE jobs'] }])).toMatchObject({
        ok: false,
        failure: {
          kind: 'invalid-request',
          message: expect.stringContaining('Invalid arguments for pause'),
        },
      });
      expect(
        await socket.call('enqueue', [
          { paths: ['/x'], target: { ...h.target, accountId: 'nobody' } },
        ]),
      ).toMatchObject({
        ok: false,
        failure: { kind: 'unknown-account' },
      });
      expect(await socket.call('updateSettings', [{ maxConcurrentUploads: 7 }])).toMatchObject({
        ok: false,
        failure: { kind: 'invalid-request' },
      });
    } finally {
      socket.close();
    }
  });

  it('stages files dropped in a browser, queues them, and pushes events', async () => {
    const socket = await open();
    try {
      const bytes = Buffer.from('dropped in a browser');
      const answer = await dropFiles(socket, [{ name: 'note.txt', bytes }], h.target);
      expect(answer['ok']).toBe(true);
      const [job] = (answer['value'] as { accepted: { id: number; sourcePath: string }[] })
        .accepted;
      const [done] = await settle(engine, [job!.id]);
      expect(done?.state).toBe('done');
      const attached = h.sim.control.attachments().filter((file) => file.name === 'note.txt');
      expect(attached.map((file) => file.sha256)).toEqual([sha256Of(bytes)]);
      expect(socket.events.some((event) => event.event === 'jobsChanged')).toBe(true);
      const refused = await socket.call('stageFile', [{ name: '../escape.txt', size: 1 }]);
      expect(refused).toMatchObject({ ok: false, failure: { kind: 'invalid-request' } });
    } finally {
      socket.close();
    }
  });
});
