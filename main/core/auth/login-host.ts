import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

/** The one host taskdrop signs in with: Microsoft's public-cloud login service. */
export const loginOrigin = 'https://login.microsoftonline.com';
export const authority = `${loginOrigin}/common`;

export class UntrustedLoginUrlError extends Error {
  constructor(url: string) {
    super(`taskdrop only signs in through ${loginOrigin}, not ${safeOrigin(url)}.`);
    this.name = 'UntrustedLoginUrlError';
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid address';
  }
}

/** Refuses any address that is not on the login host (before a browser or a token sees it). */
export function assertLoginUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UntrustedLoginUrlError(url);
  }
  if (parsed.origin !== loginOrigin) throw new UntrustedLoginUrlError(url);
  return parsed;
}

/**
 * Test and demo only: the loopback origin of a simulator that stands in for Microsoft's login
 * service. MSAL still builds every address for the real host; only the connections go here.
 */
export const loginServiceVariable = 'TASKDROP_LOGIN_SERVICE';

/** The origin of an http:// address on this machine (a simulator), or null for any other. */
export function loopbackHttpOrigin(value: string): string | null {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url?.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    return null;
  }
  return url.origin;
}

/** The same path and query on `origin`: how the simulator stands in for the login host. */
export function rerouteLoginUrl(url: string, origin: string): string {
  const parsed = assertLoginUrl(url);
  return `${origin.replace(/\/$/, '')}${parsed.pathname}${parsed.search}`;
}

/**
 * MSAL's network client for a stand-in login service (the simulator): every request MSAL
 * makes to the login host goes to `origin` instead, and nothing goes anywhere else. MSAL
 * itself still builds every URL for the real host, so the code under test is the real one.
 */
export class ReroutedLoginNetwork implements INetworkModule {
  readonly #origin: string;
  readonly #fetch: typeof fetch;

  constructor(origin: string, fetchImpl: typeof fetch = (input, init) => fetch(input, init)) {
    this.#origin = origin;
    this.#fetch = fetchImpl;
  }

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.#send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    return this.#send<T>('POST', url, options, undefined);
  }

  async #send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeoutMs: number | undefined,
  ): Promise<NetworkResponse<T>> {
    const response = await this.#fetch(rerouteLoginUrl(url, this.#origin), {
      method,
      headers: options?.headers ?? {},
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
      ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    const body = (await response.json()) as T;
    return { headers, body, status: response.status };
  }
}
