import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { contentTypeOf, fileInside } from '../core/ui/renderer-files.ts';

const metaPolicy = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/i;

/**
 * The page's own meta policy is the app's (no connections at all); served here it must allow
 * this server's WebSocket, and a meta tag cannot loosen a header, so it is replaced. A meta
 * policy ignores frame-ancestors, so that one stays in the header only.
 */
function withPolicy(html: string, csp: string): string {
  const meta = csp
    .split('; ')
    .filter((directive) => !directive.startsWith('frame-ancestors'))
    .join('; ');
  return html.replace(metaPolicy, `$1${meta}$2`);
}

/** Serves the built renderer; paths cannot climb out of its folder. */
export async function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse,
  csp: string,
): Promise<void> {
  const file = fileInside(root, urlPath);
  if (file === null) {
    res.writeHead(403).end();
    return;
  }
  try {
    const bytes = await readFile(file);
    const body =
      extname(file) === '.html' ? Buffer.from(withPolicy(bytes.toString('utf8'), csp)) : bytes;
    res.writeHead(200, {
      'Content-Type': contentTypeOf(file),
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
  }
}
