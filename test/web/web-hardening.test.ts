import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser, openApp, payload, screenshot } from '../support/browser.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { rawExchange, startWebProcess, type WebProcess } from '../support/web-process.ts';
import { row, rowsReach, searchAndChoose, until } from '../e2e/helpers.ts';

let web: WebProcess;
let browser: Browser;

beforeAll(async () => {
  [web, browser] = await Promise.all([startWebProcess(), launchBrowser()]);
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

const wsUrl = (): string => `${web.origin.replace('http', 'ws')}/ws?secret=${web.secret}`;

function openSocket(): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(), { origin: web.origin, maxPayload: 256 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closeCode(ws: WebSocket, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket stayed open')), timeoutMs);
    ws.on('error', () => undefined);
    ws.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Warnings and errors of the web server's own part of the log. */
const webProblems = (): Record<string, unknown>[] =>
  web.logRecords().filter((record) => record['part'] === 'web' && record['level'] !== 'info');

async function pageStillServed(): Promise<void> {
  expect(web.alive(), web.stderr()).toBe(true);
  expect((await fetch(web.origin)).status).toBe(200);
}

/** The UI in a fresh page, connected, new files going to the Berlin task; closed after `work`. */
async function withConnectedApp(work: (page: Page) => Promise<void>): Promise<void> {
  const app = await openApp(browser, web.url);
  try {
    const { page } = app;
    const sendTo = page.getByRole('button', { name: /^Send to / });
    await until(() => sendTo.isVisible(), 'the UI to connect');
    await sendTo.click();
    await searchAndChoose(page, 'berlin', 'Train tickets Berlin trip');
    await work(page);
    expect(app.problems).toEqual([]);
  } finally {
    await app.context.close();
  }
  expect(web.alive(), web.stderr()).toBe(true);
}

/** How far the server's resident memory rose above where it was, at most, during `work`. */
async function peakGrowthMb(work: () => Promise<void>): Promise<number> {
  const baseline = web.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, web.rss())), 20);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return (peak - baseline) / 1_048_576;
}

describe('npm run web, against what a web page or a local program can send', () => {
  it('answers malformed requests with a 4xx, logs them, and lives on', async () => {
    const percent = await rawExchange(web.origin, 'GET /% HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(percent).toMatch(/^HTTP\/1\.1 400 /);
    const badLine = await rawExchange(web.origin, 'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(badLine === '' || /^HTTP\/1\.1 4\d\d /.test(badLine), badLine).toBe(true);
    const badUpgrade = await rawExchange(
      web.origin,
      'GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(badUpgrade === '' || /^HTTP\/1\.1 4\d\d /.test(badUpgrade), badUpgrade).toBe(true);
    // As long as the secret in characters, longer in bytes.
    const wideSecret = `${'x'.repeat(web.secret.length - 1)}%C3%A9`;
    const wide = await rawExchange(
      web.origin,
      `GET /ws?secret=${wideSecret} HTTP/1.1\r\nHost: x\r\nOrigin: ${web.origin}\r\n` +
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(wide).toMatch(/^HTTP\/1\.1 403 /);
    await pageStillServed();
    await until(() => webProblems().length >= 3, 'the bad requests in the log');
    const logged = JSON.stringify(webProblems());
    expect(logged).toContain('/%');
    expect(logged).toContain('http://[::1');
  });

  it('closes a socket that breaks the WebSocket protocol, logs it, and lives on', async () => {
    const before = webProblems().length;
    const invalidText = await openSocket();
    const invalidClosed = closeCode(invalidText);
    // A text frame whose bytes are not UTF-8 (ws sends them as given).
    invalidText.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await invalidClosed).toBe(1007);

    const oversized = await openSocket();
    const oversizedClosed = closeCode(oversized);
    oversized.send(Buffer.alloc(41 * 1024 * 1024, 0x20), { binary: false });
    expect(await oversizedClosed).toBe(1009);

    await pageStillServed();
    await until(() => webProblems().length >= before + 2, 'the protocol errors in the log');
  });

  it('takes a burst of 20,000 commands from one client with memory bounded, and answers them all', async () => {
    const ws = await openSocket();
    const answered = new Set<number>();
    ws.on('message', (data: Buffer) => {
      const answer = JSON.parse(data.toString()) as { id?: number; ok?: boolean };
      if (typeof answer.id === 'number' && answer.ok === true) answered.add(answer.id);
    });
    // A search across every list: an answer of some KB, as a page could ask again and again.
    const search = { accountId: 'demo', text: 'e', limit: 100 };
    const call = (id: number): void =>
      ws.send(JSON.stringify({ id, command: 'findTasks', args: [search] }));
    // Warm up (the task catalog loads once), then measure from there.
    for (let id = 1; id <= 200; id += 1) call(id);
    await until(() => answered.size === 200, 'the warm-up answers');
    const growthMb = await peakGrowthMb(async () => {
      // The client reads nothing while it sends: what the server buffers for it is on the server.
      ws.pause();
      for (let id = 201; id <= 20_200; id += 1) call(id);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      ws.resume();
      await until(() => answered.size === 20_200, 'every answer', 60_000);
    });
    ws.close();
    expect(growthMb, `RSS grew ${growthMb.toFixed(0)} MB`).toBeLessThan(60);
    expect(web.alive()).toBe(true);
  }, 90_000);

  it('lives through a few hundred seeded malformed requests and frames; the UI still connects and uploads', async () => {
    const random = seededRandom(1414);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const junk = (size: number): Buffer =>
      Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
    for (let round = 0; round < 300; round += 4) {
      await Promise.all(
        [0, 1, 2, 3].map(() =>
          rawExchange(web.origin, malformedRequest(random, pick, junk), 2_000),
        ),
      );
    }
    for (let round = 0; round < 200; round += 4) {
      await Promise.all([0, 1, 2, 3].map(() => rawFrames(malformedFrames(random, pick, junk))));
    }
    await pageStillServed();
    // Written down, but not one record each past 100 a minute (any page can send these in a loop).
    await until(
      () => webProblems().some((record) => record['lastThisMinute'] === true),
      'the log to stop writing each refusal down',
    );
    expect(webProblems().length).toBeLessThanOrEqual(2 * 100 + 2);

    await withConnectedApp(async (page) => {
      const name = 'After the fuzz.pdf';
      await page.locator('#add-files-input').setInputFiles([payload(name, 300_000)]);
      await rowsReach(page, [name], ['done'], 30_000);
    });
  }, 120_000);

  it('takes a 30 MB+ drop in bounded pieces, and says plainly what it refused', async () => {
    await withConnectedApp(async (page) => {
      const growthMb = await peakGrowthMb(async () => {
        await drop(page, [
          ['Site plan A.pdf', 15_000_000, 1],
          ['Site plan B.pdf', 15_000_000, 2],
          ['Huge video.mov', 26_300_000, 3],
        ]);
        await rowsReach(
          page,
          ['Site plan A.pdf', 'Site plan B.pdf'],
          ['uploading', 'done'],
          60_000,
        );
      });
      expect(growthMb, `RSS grew ${growthMb.toFixed(0)} MB`).toBeLessThan(80);
      const tooLarge = page.getByRole('alert').filter({ hasText: 'Huge video.mov' });
      await until(async () => (await tooLarge.count()) === 1, 'the size refusal');
      expect(await tooLarge.textContent()).toContain(
        'over the 25.0 MB To Do accepts per attachment',
      );
      await tooLarge.getByRole('button', { name: /^Dismiss/ }).click();

      // The same file again (same name, same bytes), and another file of that name.
      await drop(page, [
        ['Site plan A.pdf', 15_000_000, 1],
        ['Site plan A.pdf', 1_000, 4],
      ]);
      const refused = page.getByRole('alert').filter({ hasText: 'not queued' });
      await until(async () => (await refused.count()) === 1, 'the duplicate refusal');
      expect(await refused.textContent()).toMatch(
        /Site plan A\.pdf is already (in the queue for|attached to) “Train tickets Berlin trip”/,
      );
      await until(async () => (await row(page, 'Site plan A.pdf').count()) === 2, 'the new file');
      expect(await screenshot(page, 'web-drop-refused')).toContain('web-drop-refused');
      await rowsReach(page, ['Site plan B.pdf'], ['done'], 60_000);
    });
  }, 150_000);
});

/** Drops files made in the page (`seed` fills their bytes: the same seed, the same content). */
async function drop(
  page: Page,
  files: [name: string, size: number, seed: number][],
): Promise<void> {
  await page.evaluate(`(() => {
    const data = new DataTransfer();
    for (const [name, size, seed] of ${JSON.stringify(files)}) {
      const bytes = new Uint8Array(size);
      let state = seed;
      for (let index = 0; index < size; index += 997) {
        state = (state * 1103515245 + 12345) >>> 0;
        bytes[index] = state & 255;
      }
      data.items.add(new File([bytes], name, { type: 'application/pdf' }));
    }
    const where = document.querySelector('main');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      where.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
    }
  })()`);
}

type Pick = <T>(items: readonly T[]) => T;

/** One malformed HTTP request: bad request lines, bad escapes, bad upgrades, plain noise. */
function malformedRequest(
  random: () => number,
  pick: Pick,
  junk: (size: number) => Buffer,
): Buffer {
  const paths = [
    '/%',
    '/%zz',
    '/%E0%A4%A',
    '/..%2f..%2f',
    'http://[::1',
    '*',
    '//',
    '/ws?secret=%',
  ];
  const kind = Math.floor(random() * 5);
  if (kind === 0) return junk(1 + Math.floor(random() * 300));
  if (kind === 1)
    return Buffer.from(
      `${pick(['GET', 'POST', 'PUT', 'BREW'])} ${pick(paths)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
  if (kind === 2) {
    return Buffer.from(
      `GET ${pick(['/ws', ...paths])} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: ${pick(['13', '8', 'x'])}\r\nSec-WebSocket-Key: ${pick(['', 'short', junk(16).toString('base64')])}\r\n\r\n`,
    );
  }
  if (kind === 3)
    return Buffer.concat([
      Buffer.from(`GET /${pick(paths)} HTTP/1.1\r\n`),
      junk(50),
      Buffer.from('\r\n\r\n'),
    ]);
  return Buffer.from(
    `GET / HTTP/1.1\r\nHost: x\r\nContent-Length: ${pick(['-1', 'abc', '99999999999'])}\r\n\r\n`,
  );
}

/** Frames a client could send on an accepted socket: bad opcodes, unmasked, lying lengths, bad UTF-8, bad JSON. */
function malformedFrames(
  random: () => number,
  pick: Pick,
  junk: (size: number) => Buffer,
): Buffer[] {
  const kind = Math.floor(random() * 6);
  if (kind === 0) return [frame(pick([0x3, 0x4, 0xb, 0xf]), junk(10))];
  if (kind === 1) return [frame(0x1, junk(20), { masked: false })];
  if (kind === 2)
    return [Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])];
  if (kind === 3) return [frame(0x1, Buffer.from([0xc3, 0x28, 0xa0, 0xa1]))];
  if (kind === 4) {
    const text = pick([
      '{',
      'null',
      '[]',
      '{"id":"x"}',
      '{"id":1,"command":"enqueueStaged","args":{}}',
      '{"id":1,"command":"stagePiece","args":[{"uploadId":"x","offset":0,"contentBase64":"!!"}]}',
      '{"id":1,"command":"stageFile","args":[{"name":"..","size":-1}]}',
    ]);
    return [frame(0x1, Buffer.from(text))];
  }
  return [frame(0x1, Buffer.from('{"id":1,'), { fin: false }), frame(0x2, junk(8))];
}

/** A frame of at most 125 bytes (the length fits its second byte). */
function frame(
  opcode: number,
  payload: Buffer,
  options: { masked?: boolean; fin?: boolean } = {},
): Buffer {
  const masked = options.masked ?? true;
  const head = Buffer.from([
    (options.fin === false ? 0 : 0x80) | opcode,
    (masked ? 0x80 : 0) | payload.length,
  ]);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
  return Buffer.concat([head, mask, body]);
}

/** Opens a WebSocket by hand (our origin, this run's secret), then writes `frames` raw. */
function rawFrames(frames: Buffer[]): Promise<void> {
  const { hostname, port } = new URL(web.origin);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let upgraded = false;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 2_000);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) return;
      upgraded = true;
      if (!chunk.toString('latin1').startsWith('HTTP/1.1 101')) return done();
      for (const bytes of frames) socket.write(bytes);
      socket.end();
    });
    socket.on('connect', () =>
      socket.write(
        `GET /ws?secret=${web.secret} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nOrigin: ${web.origin}\r\n` +
          'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      ),
    );
  });
}
