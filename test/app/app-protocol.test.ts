import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appContentSecurityPolicy,
  appPageUrl,
  serveAppRequest,
} from '../../main/app/app-protocol.ts';

let dir: string;
let rendererDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'taskdrop-app-protocol-'));
  rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>taskdrop</title>');
  writeFileSync(join(rendererDir, 'assets', 'main.js'), 'export {};');
  writeFileSync(join(rendererDir, 'assets', 'main.css'), 'body{}');
  writeFileSync(join(rendererDir, 'favicon.svg'), '<svg/>');
  // Beside the renderer folder, where no request may reach.
  writeFileSync(join(dir, 'secret.txt'), 'not for the page');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (url: string): Promise<Response> =>
  serveAppRequest(rendererDir, { url, method: 'GET' });

/** A policy as a map of directive to its values. */
function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const [name = '', ...values] = part.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

describe('the app:// scheme the window loads from', () => {
  it('serves the built files with their types and the CSP as a header', async () => {
    const cases = [
      [appPageUrl, 'text/html; charset=utf-8', '<!doctype html><title>taskdrop</title>'],
      ['app://taskdrop/', 'text/html; charset=utf-8', '<!doctype html><title>taskdrop</title>'],
      ['app://taskdrop/assets/main.js?v=1', 'text/javascript; charset=utf-8', 'export {};'],
      ['app://taskdrop/assets/main.css', 'text/css; charset=utf-8', 'body{}'],
      ['app://taskdrop/favicon.svg', 'image/svg+xml', '<svg/>'],
    ] as const;
    for (const [url, type, body] of cases) {
      const response = await get(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toBe(type);
      expect(response.headers.get('content-security-policy'), url).toBe(appContentSecurityPolicy);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(await response.text(), url).toBe(body);
    }
  });

  it('sends the meta tag’s policy of the built page, and forbids framing on top', () => {
    // Built by the test run's global setup (test/e2e/build-renderer.ts).
    const page = readFileSync(new URL('../../dist/renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(page)?.[1] ?? '';
    const header = directives(appContentSecurityPolicy);
    expect(header.get('frame-ancestors')).toBe("'none'");
    header.delete('frame-ancestors');
    expect(header).toEqual(directives(meta));
  });

  it('never serves a file outside the renderer folder, however the path is written', async () => {
    for (const url of [
      'app://taskdrop/../../secret.txt',
      'app://taskdrop/..%2Fsecret.txt',
      'app://taskdrop/assets/..%2F..%2Fsecret.txt',
      'app://taskdrop/%2e%2e%2fsecret.txt',
      'app://taskdrop/..%5Csecret.txt',
      'app://taskdrop/%2e%2e%5c%2e%2e%5csecret.txt',
    ]) {
      const response = await get(url);
      expect([403, 404], url).toContain(response.status);
      expect(await response.text(), url).toBe('');
    }
    // A path that cannot be decoded is refused outright.
    expect((await get('app://taskdrop/%E0%A4%A')).status).toBe(403);
  });

  it('answers nothing for another host, another scheme, a missing file or a write', async () => {
    expect((await get('app://elsewhere/index.html')).status).toBe(404);
    expect((await get('file:///index.html')).status).toBe(404);
    expect((await get('app://taskdrop/missing.js')).status).toBe(404);
    const post = await serveAppRequest(rendererDir, { url: appPageUrl, method: 'POST' });
    expect(post.status).toBe(405);
    const head = await serveAppRequest(rendererDir, { url: appPageUrl, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
