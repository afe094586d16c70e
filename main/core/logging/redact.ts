/**
 * Takes secrets out of what taskdrop writes down (the log, the diagnostics): tokens, credentials,
 * the secret parts of URLs. Applied to every record, messages and fields alike, so a secret that
 * slips into an error message from a library is caught as well as one in a field.
 */

export const redacted = '[redacted]';

/** Keys whose values are secret wherever they appear: fields, JSON, `key: value`. */
const secretKey =
  /token|secret|passw(?:or)?d|authori[sz]ation|cookie|credential|assertion|api[-_]?key|^(?:sig|signature|tempauth|pwd)$/i;

/**
 * In a URL's query or a form body, `code` is an OAuth authorization code. Elsewhere it names
 * an error (Graph's `error.code`), which a log must keep.
 */
const secretParam = (name: string): boolean => secretKey.test(name) || /^code$/i.test(name);

/** Upload session URLs: their query, when they have one, is the capability (OneDrive `tempauth`, Outlook `authtoken`). */
const uploadUrlPath = /attachmentSessions|uploadSession|\/_api\/v2\.0\/drives?\//i;

const urlPattern = /\bhttps?:\/\/[^\s"'<>`]+/gi;
const bearerPattern = /\bBearer\s+[\w.~+/=-]+/gi;
const authorizationHeader = /\b((?:proxy-)?authorization)(\s*:\s*)(?:[\w-]+\s+)?[^\s,"']+/gi;
const cookieHeader = /\b((?:set-)?cookie)(\s*:\s*)[^\r\n"]+/gi;
/**
 * Opaque tokens by their known shapes, wherever they stand, even with nothing naming them:
 * the simulator's, Microsoft account refresh tokens and codes (M.C5_BAY.…, M.R3_BAY.…), Entra
 * refresh tokens (0.A…, 1.A…) and Microsoft account access tokens (EwA…, hundreds long).
 */
const opaqueToken = new RegExp(
  [
    String.raw`\bsim(?:tok|rt|code|device)\.[\w-]{16,}`,
    String.raw`\bM\.[CR]\d+_[A-Z0-9]+\.[\w.!*~+/=-]{20,}`,
    String.raw`\b[01]\.A[\w.~+/=-]{40,}`,
    String.raw`\bEw[A-D][A-Za-z0-9+/]{100,}={0,2}`,
  ].join('|'),
  'g',
);
/** Three base64url parts, the first a JSON header (`{"` is `eyJ`): an id or access token. */
const jwtPattern = /\beyJ[\w-]{8,}\.[\w-]*(?:\.[\w-]*)?/g;
const jsonPair = /"([\w.-]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
/** `key: 'value'` as util.inspect writes objects, and `key: value` in prose. */
const colonPair = /\b([\w.-]+)(\s*:\s*)('(?:[^'\\]|\\.)*'|[^\s,'"}[\]]+)/g;
const formPair = /([?&#;,\s(]|^)([\w.-]+)=([^&\s#"',;)]*)/g;

/** Scanned at most: a record is a line of a log, not a document. */
const scanLimit = 20_000;
const textLimit = 2_000;
const maxDepth = 6;
const maxEntries = 50;

export function isSecretKey(key: string): boolean {
  return secretKey.test(key);
}

/** The text with every secret it carries replaced by [redacted]; host and path of URLs kept. */
export function redactText(text: string): string {
  return text
    .replace(urlPattern, redactUrl)
    .replace(bearerPattern, `Bearer ${redacted}`)
    .replace(authorizationHeader, `$1$2${redacted}`)
    .replace(cookieHeader, `$1$2${redacted}`)
    .replace(opaqueToken, redacted)
    .replace(jwtPattern, redacted)
    .replace(jsonPair, (pair, key: string, colon: string) =>
      isSecretKey(key) ? `"${key}"${colon}"${redacted}"` : pair,
    )
    .replace(colonPair, (pair, key: string, colon: string) =>
      isSecretKey(key) ? `${key}${colon}${redacted}` : pair,
    )
    .replace(formPair, (pair, before: string, key: string) =>
      secretParam(key) ? `${before}${key}=${redacted}` : pair,
    );
}

/**
 * A URL keeps its scheme, host and path, which say what was called; user info, the fragment and
 * secret query values go. An upload session URL loses every query value.
 */
function redactUrl(url: string): string {
  const fragmentAt = url.indexOf('#');
  const withoutFragment = fragmentAt === -1 ? url : url.slice(0, fragmentAt);
  const fragment = fragmentAt === -1 ? '' : `#${redacted}`;
  const queryAt = withoutFragment.indexOf('?');
  const base = (queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt)).replace(
    /^(https?:\/\/)[^/@]*@/i,
    `$1${redacted}@`,
  );
  if (queryAt === -1) return `${base}${fragment}`;
  const everyValue = uploadUrlPath.test(base) || /tempauth|authtoken/i.test(withoutFragment);
  const query = withoutFragment
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return equals !== -1 && (everyValue || secretParam(decodeName(name)))
        ? `${name}=${redacted}`
        : pair;
    })
    .join('&');
  return `${base}?${query}${fragment}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** A long text cut to a readable length, saying how much was left out. */
function limited(text: string): string {
  return text.length <= textLimit
    ? text
    : `${text.slice(0, textLimit)}… (${text.length - textLimit} more characters)`;
}

/**
 * A value made safe to write down: secrets out (by key, and inside every string), and bounded
 * (depth, entries, string length) so no record can grow without limit. Errors become their
 * name, message and plain own fields (a GraphError's kind, code, status, request-id).
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return limited(redactText(value.slice(0, scanLimit)));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return redactText(value.href);
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (depth >= maxDepth) return '[…]';
  if (value instanceof Error) return redactValue(errorFields(value), depth + 1);
  if (Array.isArray(value)) {
    const items = value.slice(0, maxEntries).map((item: unknown) => redactValue(item, depth + 1));
    if (value.length > maxEntries) items.push(`… ${value.length - maxEntries} more`);
    return items;
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const result: Record<string, unknown> = {};
  for (const [key, item] of entries.slice(0, maxEntries)) {
    const name = String(key);
    result[name] = isSecretKey(name) ? redacted : redactValue(item, depth + 1);
  }
  if (entries.length > maxEntries) result['…'] = `${entries.length - maxEntries} more`;
  return result;
}

/** An error as plain data: what kind, what it says, and where it came from (a short stack). */
function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      fields[key] = value;
  }
  if (error.stack !== undefined) fields['stack'] = error.stack.split('\n').slice(1, 6).join('\n');
  if (error.cause instanceof Error) fields['cause'] = error.cause;
  return fields;
}
