import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorityMetadata, cloudDiscoveryMetadata } from '../../main/core/auth/msal-config.ts';
import { autoSubmitForm } from '../../main/simulator/identity/browser.ts';
import { startSimulator, type RunningSimulator } from '../../main/simulator/index.ts';
import { raw, type RawResponse } from '../support/raw-http.ts';
import { clientId } from './support.ts';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ identity: { accessTokenLifetimeMs: 120_000 } });
});
afterAll(async () => {
  await sim.close();
});

const redirectUri = 'http://localhost:53123';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string>, tenant = 'common'): string {
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    response_mode: 'form_post',
    scope: 'Tasks.ReadWrite offline_access openid profile',
    state: 'state-123',
    code_challenge_method: 'S256',
    ...params,
  });
  for (const [key, value] of Object.entries(params)) if (value === '') query.delete(key);
  return `${sim.origin}/${tenant}/oauth2/v2.0/authorize?${query.toString()}`;
}

/** The fields the authorize page would post back to the app. */
async function authorize(
  params: Record<string, string>,
  tenant?: string,
): Promise<URLSearchParams> {
  const res = await raw(authorizeUrl(params, tenant));
  expect(res.status, res.text).toBe(200);
  const form = autoSubmitForm(res.text);
  expect(form?.action).toBe(redirectUri);
  return form!.fields;
}

function token(form: Record<string, string>): Promise<RawResponse> {
  return raw(`${sim.origin}/common/oauth2/v2.0/token?client-request-id=abc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, client_info: '1', ...form }).toString(),
  });
}

interface TokenJson {
  access_token: string;
  refresh_token?: string;
  id_token: string;
  client_info: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

interface ErrorJson {
  error: string;
  error_description: string;
  error_codes: number[];
  correlation_id: string;
  trace_id: string;
  timestamp: string;
}

function expectOAuthError(res: RawResponse, error: string, aadsts: number): ErrorJson {
  expect(res.status, res.text).toBe(400);
  const body = res.json() as ErrorJson;
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([aadsts]);
  expect(body.error_description).toMatch(
    new RegExp(`^AADSTS${aadsts}: .+ Trace ID: .+ Correlation ID: .+ Timestamp: `),
  );
  return body;
}

async function codeFor(
  params: Record<string, string> = {},
): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const fields = await authorize({ code_challenge: challenge, ...params });
  return { code: fields.get('code') ?? '', verifier };
}

function claimsOf(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('discovery', () => {
  it('serves the OpenID configuration and instance discovery that taskdrop hands MSAL', async () => {
    const config = (await raw(`${sim.origin}/common/v2.0/.well-known/openid-configuration`)).json();
    expect(config).toMatchObject(JSON.parse(authorityMetadata) as object);
    const discovery = (
      await raw(`${sim.origin}/common/discovery/instance?api-version=1.1&authorization_endpoint=x`)
    ).json();
    expect(discovery).toEqual(JSON.parse(cloudDiscoveryMetadata));
  });
});

describe('authorize', () => {
  it('answers with a form that posts code, state and client_info to the loopback redirect', async () => {
    const fields = await authorize({ code_challenge: pkce().challenge });
    expect(fields.get('state')).toBe('state-123');
    expect(fields.get('code')).toMatch(/^simcode\./);
    const info = JSON.parse(Buffer.from(fields.get('client_info') ?? '', 'base64url').toString());
    expect(info).toEqual({ uid: sim.user.id, utid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('refuses a redirect URI that is not the loopback registered for desktop apps', async () => {
    for (const uri of [
      'https://evil.example/',
      'http://localhost:1234/callback',
      'http://192.168.1.2:80',
    ]) {
      const res = await raw(authorizeUrl({ code_challenge: pkce().challenge, redirect_uri: uri }));
      expect(res.status).toBe(400);
      expect(res.text).toContain('AADSTS50011');
      expect(autoSubmitForm(res.text)).toBeNull();
    }
  });

  it('refuses an unknown client, a missing state and a missing or plain PKCE challenge', async () => {
    const unknown = await raw(authorizeUrl({ code_challenge: 'x', client_id: 'not-a-guid' }));
    expect(unknown.text).toContain('AADSTS700016');
    const noState = await authorize({ code_challenge: pkce().challenge, state: '' });
    expect(noState.get('error')).toBe('invalid_request');
    const noChallenge = await authorize({});
    expect(noChallenge.get('error')).toBe('invalid_request');
    expect(noChallenge.get('error_description')).toContain('Proof Key for Code Exchange');
    const plain = await authorize({ code_challenge: 'abc', code_challenge_method: 'plain' });
    expect(plain.get('error')).toBe('invalid_request');
  });

  it('picks the user named by login_hint, and keeps tenants apart', async () => {
    sim.control.addUser('Kim Personal', 'kim@outlook.com');
    const fields = await authorize(
      { code_challenge: pkce().challenge, login_hint: 'kim@outlook.com' },
      'consumers',
    );
    const info = JSON.parse(Buffer.from(fields.get('client_info') ?? '', 'base64url').toString());
    expect(info.utid).toBe('9188040d-6c67-4c5b-b112-36a304b66dad');
    const workInConsumers = await raw(
      authorizeUrl(
        { code_challenge: pkce().challenge, login_hint: sim.user.userPrincipalName },
        'consumers',
      ),
    );
    expect(workInConsumers.text).toContain('AADSTS50020');
    const nobody = await raw(
      authorizeUrl({ code_challenge: pkce().challenge, login_hint: 'nobody@x.example' }),
    );
    expect(nobody.text).toContain('AADSTS50034');
  });
});

describe('token: authorization_code', () => {
  it('redeems a code once, with the matching PKCE verifier, for tokens Graph accepts', async () => {
    const { code, verifier } = await codeFor({ nonce: 'n-1' });
    const res = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expect(res.status, res.text).toBe(200);
    const body = res.json() as TokenJson;
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(120);
    expect(body.refresh_token).toMatch(/^simrt\./);
    expect(body.scope.split(' ')).toContain('Tasks.ReadWrite');
    const claims = claimsOf(body.id_token);
    expect(claims).toMatchObject({
      aud: clientId,
      oid: sim.user.id,
      preferred_username: sim.user.userPrincipalName,
      name: sim.user.displayName,
      nonce: 'n-1',
      ver: '2.0',
    });
    expect(claims['iss']).toBe(`https://login.microsoftonline.com/${String(claims['tid'])}/v2.0`);
    for (const claim of ['sub', 'iat', 'nbf', 'exp']) expect(claims[claim]).toBeDefined();
    const graph = await raw(`${sim.graphUrl}/me/todo/lists`, {
      headers: { Authorization: `Bearer ${body.access_token}` },
    });
    expect(graph.status).toBe(200);

    const again = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expectOAuthError(again, 'invalid_grant', 54005);
  });

  it('refuses a wrong verifier and a changed redirect URI', async () => {
    const first = await codeFor();
    const wrong = await token({
      grant_type: 'authorization_code',
      code: first.code,
      redirect_uri: redirectUri,
      code_verifier: pkce().verifier,
    });
    const body = expectOAuthError(wrong, 'invalid_grant', 501481);
    expect(body.correlation_id).toBe('abc');
    const second = await codeFor();
    const moved = await token({
      grant_type: 'authorization_code',
      code: second.code,
      redirect_uri: 'http://localhost:9',
      code_verifier: second.verifier,
    });
    expectOAuthError(moved, 'invalid_grant', 70000);
    const missing = await token({
      grant_type: 'authorization_code',
      code: second.code,
      redirect_uri: redirectUri,
    });
    expectOAuthError(missing, 'invalid_request', 900144);
  });

  it('lets a code expire', async () => {
    const { code, verifier } = await codeFor();
    sim.control.advanceClock(601_000);
    const late = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expectOAuthError(late, 'invalid_grant', 70008);
  });
});

describe('token: refresh_token', () => {
  it('rotates refresh tokens, and answers invalid_grant (AADSTS50173) once they are revoked', async () => {
    const { code, verifier } = await codeFor();
    const first = (
      await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      })
    ).json() as TokenJson;
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
      scope: 'Tasks.ReadWrite offline_access',
    });
    expect(refreshed.status, refreshed.text).toBe(200);
    const second = refreshed.json() as TokenJson;
    expect(second.refresh_token).toBeDefined();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);

    expect(
      sim.control.identity.revokeRefreshTokens(sim.user.userPrincipalName),
    ).toBeGreaterThanOrEqual(2);
    for (const refreshToken of [first.refresh_token, second.refresh_token]) {
      const refused = await token({
        grant_type: 'refresh_token',
        refresh_token: refreshToken ?? '',
      });
      expectOAuthError(refused, 'invalid_grant', 50173);
    }
    // Access tokens already issued live on until they expire, as the real ones do.
    const graph = await raw(`${sim.graphUrl}/me/todo/lists`, {
      headers: { Authorization: `Bearer ${second.access_token}` },
    });
    expect(graph.status).toBe(200);
    sim.control.advanceClock(121_000);
    const expired = await raw(`${sim.graphUrl}/me/todo/lists`, {
      headers: { Authorization: `Bearer ${second.access_token}` },
    });
    expect(expired.status).toBe(401);
  });

  it('refuses an unsupported grant type', async () => {
    expectOAuthError(await token({ grant_type: 'password' }), 'unsupported_grant_type', 70003);
  });
});

describe('devicecode', () => {
  it('keeps answering authorization_pending until the code is approved, then issues tokens once', async () => {
    const started = await raw(`${sim.origin}/common/oauth2/v2.0/devicecode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        scope: 'Tasks.ReadWrite offline_access',
      }).toString(),
    });
    expect(started.status).toBe(200);
    const device = started.json() as {
      user_code: string;
      device_code: string;
      interval: number;
      expires_in: number;
      verification_uri: string;
    };
    expect(device).toMatchObject({
      interval: 5,
      expires_in: 900,
      verification_uri: `${sim.origin}/devicelogin`,
    });
    const poll = (): Promise<RawResponse> =>
      token({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: device.device_code,
      });
    expectOAuthError(await poll(), 'authorization_pending', 70016);

    const approved = await raw(`${sim.inspectUrl}/identity/device/approve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userCode: device.user_code.toLowerCase() }),
    });
    expect(approved.status, approved.text).toBe(200);
    const done = await poll();
    expect(done.status, done.text).toBe(200);
    expect((done.json() as TokenJson).refresh_token).toBeDefined();
    expectOAuthError(await poll(), 'invalid_grant', 9002313);
  });

  it('answers expired_token once the code has expired', async () => {
    const started = await raw(`${sim.origin}/common/oauth2/v2.0/devicecode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, scope: 'Tasks.ReadWrite' }).toString(),
    });
    const device = started.json() as { device_code: string };
    sim.control.advanceClock(901_000);
    const late = await token({ grant_type: 'device_code', device_code: device.device_code });
    expectOAuthError(late, 'expired_token', 70019);
  });
});

describe('identity control', () => {
  it('changes the access-token lifetime and reports counters over HTTP', async () => {
    const changed = await raw(`${sim.inspectUrl}/identity/options`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ accessTokenLifetimeMs: 5_000 }),
    });
    expect((changed.json() as { accessTokenLifetimeMs: number }).accessTokenLifetimeMs).toBe(5_000);
    const { code, verifier } = await codeFor();
    const body = (
      await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      })
    ).json() as TokenJson;
    expect(body.expires_in).toBe(5);
    const state = (await raw(`${sim.inspectUrl}/identity`)).json() as {
      counters: { grants: { authorization_code: number } };
    };
    expect(state.counters.grants.authorization_code).toBeGreaterThan(0);
    sim.control.identity.setOptions({ accessTokenLifetimeMs: 120_000 });
  });
});
