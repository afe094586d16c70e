/**
 * Where an access token may go (docs/security.md §1): Microsoft Graph's own hosts, in the global
 * and the national clouds, over https; or this machine (the simulator), over http or https.
 * Anything else would hand the signed-in account to whoever runs that host.
 */

/** Microsoft Graph's root in the global cloud, with the version taskdrop speaks: the default. */
export const microsoftGraphUrl = 'https://graph.microsoft.com/v1.0';

/** Graph's hosts: global, US Government L4 and L5 (DoD), China (21Vianet). */
const graphHosts: ReadonlySet<string> = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

export class UntrustedGraphUrlError extends Error {
  constructor(graphUrl: string, reason: string) {
    super(
      `Refused to use ${graphUrl} as Microsoft Graph: ${reason}. Tokens go only to Microsoft ` +
        `Graph (https://graph.microsoft.com and the national clouds' hosts) or to this machine ` +
        `(a simulator on localhost or 127.0.0.1).`,
    );
    this.name = 'UntrustedGraphUrlError';
  }
}

/** Whether a host name is this machine by its address, never by what DNS says of a name. */
function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(hostname);
}

/** Throws UntrustedGraphUrlError unless a token may go to `graphUrl`. */
export function assertTrustedGraphUrl(graphUrl: string): void {
  let url: URL;
  try {
    url = new URL(graphUrl);
  } catch {
    throw new UntrustedGraphUrlError(graphUrl, 'it is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UntrustedGraphUrlError(graphUrl, `${url.protocol} is not http or https`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UntrustedGraphUrlError(graphUrl, 'it carries a user name or password');
  }
  if (isLoopback(url.hostname)) return;
  if (!graphHosts.has(url.hostname)) {
    throw new UntrustedGraphUrlError(graphUrl, `${url.hostname} is not a Microsoft Graph host`);
  }
  if (url.protocol !== 'https:') {
    throw new UntrustedGraphUrlError(graphUrl, 'Microsoft Graph is reached over https only');
  }
}
