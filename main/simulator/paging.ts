import type { PagingRules } from './types.ts';

/** Page tokens are opaque to clients: base64url JSON they must pass back verbatim. */
export function encodeToken(value: Record<string, number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken(token: string | null): Record<string, number> | null {
  if (token === null) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const entries = Object.entries(value).filter(
      (entry): entry is [string, number] => Number.isInteger(entry[1]) && entry[1] >= 0,
    );
    return Object.fromEntries(entries);
  } catch {
    return null;
  }
}

export type PageSize = { ok: true; size: number; explicit: boolean } | { ok: false };

/** `$top`, or `Prefer: odata.maxpagesize=N`, or the default; clamped to the maximum. */
export function pageSize(
  url: URL,
  prefer: string | string[] | undefined,
  rules: PagingRules,
): PageSize {
  const top = url.searchParams.get('$top');
  if (top !== null) {
    const value = Number(top);
    if (!Number.isInteger(value) || value < 1) return { ok: false };
    return { ok: true, size: Math.min(value, rules.maxPageSize), explicit: true };
  }
  const preferences = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  const preferred = /odata\.maxpagesize=(\d+)/i.exec(preferences)?.[1];
  if (preferred !== undefined && Number(preferred) >= 1) {
    return { ok: true, size: Math.min(Number(preferred), rules.maxPageSize), explicit: true };
  }
  return { ok: true, size: rules.defaultPageSize, explicit: false };
}

export function pageLink(base: string, params: Record<string, string>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `${base}?${query}`;
}
