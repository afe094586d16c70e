import { extname, join, normalize, sep } from 'node:path';

/**
 * The built renderer's files as both shells serve them: the browser mode's server (main/web) and
 * the Electron window's app:// scheme (main/app). One policy, one set of types, one path rule.
 */
/** The built renderer's file types. */
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
