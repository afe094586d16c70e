import { describe, expect, it } from 'vitest';
import {
  assertTrustedGraphUrl,
  UntrustedGraphUrlError,
} from '../../main/core/graph/trusted-hosts.ts';

describe('where a token may go (docs/security.md §1)', () => {
  it.each([
    'https://graph.microsoft.com/v1.0',
    'https://graph.microsoft.com/beta',
    'https://graph.microsoft.us/v1.0',
    'https://dod-graph.microsoft.us/v1.0',
    'https://microsoftgraph.chinacloudapi.cn/v1.0',
    'http://127.0.0.1:4000/v1.0',
    'http://127.8.9.10:4000/v1.0',
    'https://localhost:8443/v1.0',
    'http://[::1]:4000/v1.0',
  ])('accepts %s', (url) => {
    expect(() => assertTrustedGraphUrl(url)).not.toThrow();
  });

  it.each([
    ['http://graph.microsoft.com/v1.0', 'over https only'],
    ['https://graph.microsoft.com.evil.example/v1.0', 'is not a Microsoft Graph host'],
    ['https://evil.example/graph.microsoft.com', 'is not a Microsoft Graph host'],
    ['http://0.0.0.0:4000/v1.0', 'is not a Microsoft Graph host'],
    ['http://localhost.evil.example/v1.0', 'is not a Microsoft Graph host'],
    ['http://127.0.0.1.nip.io/v1.0', 'is not a Microsoft Graph host'],
    ['https://user:pass@graph.microsoft.com/v1.0', 'user name or password'],
    ['ftp://127.0.0.1/v1.0', 'is not http or https'],
    ['graph.microsoft.com/v1.0', 'not an absolute URL'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(() => assertTrustedGraphUrl(url)).toThrow(UntrustedGraphUrlError);
    expect(() => assertTrustedGraphUrl(url)).toThrow(reason);
  });
});
