import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy, contentTypeOf, fileInside } from '../core/ui/renderer-files.ts';

/**
 * The window's page comes from `app://taskdrop/`, a privileged scheme of the app's own, not from
 * file:// (Electron's security checklist, "avoid the file protocol"): the page gets a real origin,
 * its files come only from the built renderer folder, and its policy comes as a header too.
 */
export const appScheme = 'app';
const appHost = 'taskdrop';
export const appPageUrl = `${appScheme}://${appHost}/index.html`;

/** For protocol.registerSchemesAsPrivileged, before the app is ready. */
export const appSchemePrivileges = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

/**
 * The policy of the page's meta tag (renderer/index.html) as a header, plus frame-ancestors,
 * which only a header can set: no page may frame the app's.
 */
export const appContentSecurityPolicy = contentSecurityPolicy("'none'");

const securityHeaders = {
  'Content-Security-Policy': appContentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function refusal(status: 403 | 404 | 405): Response {
  return new Response(null, { status, headers: securityHeaders });
}

/**
 * What protocol.handle answers for a request to app://: the built renderer's file, or a refusal
 * for another host, another method, or a path that leaves `rendererDir`.
 */
export async function serveAppRequest(
  rendererDir: string,
  request: { url: string; method: string },
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
  const url = URL.canParse(request.url) ? new URL(request.url) : null;
  if (url?.protocol !== `${appScheme}:` || url.host !== appHost) return refusal(404);
  const file = fileInside(rendererDir, url.pathname);
  if (file === null) return refusal(403);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return refusal(404);
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(bytes), {
    status: 200,
    headers: { ...securityHeaders, 'Content-Type': contentTypeOf(file) },
  });
}
