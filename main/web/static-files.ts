import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/** The built renderer's file types, as the Electron window's app:// scheme serves them too. */
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The same policy the Electron window gets: our own scripts and styles, nothing remote. */
export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

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

export function contentTypeOf(file: string): string {
  return types[extname(file)] ?? 'application/octet-stream';
}

/**
 * The file under `root` a URL path names (`/` is index.html); null for a path that climbs out
 * of it, however it is encoded, or that cannot be decoded.
 */
export function fileInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
  } catch {
    return null;
  }
  const file = join(root, normalize(decoded));
  return file.startsWith(root + sep) ? file : null;
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
