/** URL handling for opaque Graph URLs: upload URLs and Location headers are never rebuilt from ids. */

/** The origin of an absolute URL, or null when it is not one. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Where upload bytes go: `{uploadUrl}/content`, inserted before any query string, unless the
 * path already ends with `/content`. A PUT on the bare uploadUrl 404s (msgraph-sdk-php#1506).
 */
export function uploadContentUrl(uploadUrl: string): string {
  const queryAt = uploadUrl.search(/[?#]/);
  const path = queryAt === -1 ? uploadUrl : uploadUrl.slice(0, queryAt);
  const rest = queryAt === -1 ? '' : uploadUrl.slice(queryAt);
  if (/\/content\/?$/i.test(path)) return uploadUrl;
  return `${path.replace(/\/+$/, '')}/content${rest}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The attachment id from a final-upload Location: its last path segment, URL-decoded (ids end
 * in `=`, which some stacks percent-encode). Outlook-style `Attachments('id')` is accepted too.
 */
export function attachmentIdFromLocation(location: string): string | null {
  let pathname: string;
  try {
    pathname = new URL(location.trim(), 'http://relative.invalid').pathname;
  } catch {
    return null;
  }
  const last = pathname.split('/').findLast((segment) => segment !== '');
  if (last === undefined) return null;
  const decoded = decodeSegment(last);
  const odataKey = /^[^(]*\('(.*)'\)$/.exec(decoded);
  const id = odataKey?.[1] ?? decoded;
  return id === '' ? null : id;
}
