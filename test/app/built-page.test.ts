import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Built by the test run's global setup (test/e2e/build-renderer.ts).
const page = readFileSync(new URL('../../dist/renderer/index.html', import.meta.url), 'utf8');

function policy(html: string): Map<string, string[]> {
  const content = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(
    html,
  )?.[1];
  if (content === undefined) throw new Error('the built page has no Content-Security-Policy');
  return new Map(
    content
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0] !== '')
      .map(([name = '', ...values]) => [name, values]),
  );
}

describe('the built page the Electron window loads', () => {
  it('carries a strict Content-Security-Policy', () => {
    const csp = policy(page);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(page).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('has no inline script or remote resource for the policy to let through', () => {
    const scripts = [...page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [tag, body] of scripts) {
      expect(tag).toMatch(/src="\.\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
