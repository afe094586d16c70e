import type { ServerResponse } from 'node:http';
import { readBody } from '../body.ts';
import type { UserRecord } from '../model.ts';
import type { Exchange } from '../server.ts';
import { clientInfo, consumersTenantId, tenantOf } from './claims.ts';
import { parseScopes, type IdentityBook, type Outcome, type TokenAnswer } from './grants.ts';
import { instanceDiscovery, openIdConfiguration } from './metadata.ts';
import { oauthErrorBody, oauthErrors, type OAuthError } from './oauth-errors.ts';
import { deviceLoginPage, errorPage, formPostPage, noticePage } from './pages.ts';

const formType = 'application/x-www-form-urlencoded';
const formBodyCap = 64 * 1024;
const deviceCodeGrants = new Set(['device_code', 'urn:ietf:params:oauth:grant-type:device_code']);

/** Paths of the identity platform (`/{tenant}/oauth2/v2.0/...`, discovery, devicelogin). */
export function isIdentityPath(pathname: string): boolean {
  const segments = pathname.split('/').filter(Boolean);
  if (segments[0] === 'devicelogin') return true;
  return ['oauth2', 'v2.0', 'discovery'].includes(segments[1] ?? '');
}

export async function handleIdentity(book: IdentityBook, exchange: Exchange): Promise<void> {
  const { req, res, url } = exchange;
  const method = req.method ?? 'GET';
  const [tenant = '', ...rest] = url.pathname.split('/').filter(Boolean);
  const route = `${method} ${rest.join('/')}`;
  if (tenant === 'devicelogin') return deviceLogin(book, exchange);
  switch (route) {
    case 'GET v2.0/.well-known/openid-configuration':
      return sendJson(res, 200, openIdConfiguration(tenant));
    case 'GET discovery/instance':
      return sendJson(res, 200, instanceDiscovery());
    case 'GET discovery/v2.0/keys':
      return sendJson(res, 200, { keys: [] });
    case 'GET oauth2/v2.0/authorize':
      return authorize(book, tenant, url, res);
    case 'POST oauth2/v2.0/token':
      return token(book, exchange);
    case 'POST oauth2/v2.0/devicecode':
      return deviceCode(book, exchange);
    case 'GET oauth2/v2.0/logout':
      return sendHtml(res, 200, noticePage('Signed out', 'You signed out of your account.'));
  }
  return sendJson(res, 404, { error: 'not_found', error_description: `No route ${route}` });
}

// authorize

function isLoopbackRedirect(redirectUri: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(redirectUri);
  } catch {
    return false;
  }
  // "Mobile and desktop" apps register http://localhost; any port is accepted for it.
  return (
    parsed.protocol === 'http:' &&
    (parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1') &&
    (parsed.pathname === '/' || parsed.pathname === '') &&
    parsed.search === '' &&
    parsed.hash === ''
  );
}

/** Whether `user` may sign in through the `/{tenant}` authority. */
function tenantAdmits(tenant: string, user: UserRecord): boolean {
  const tid = tenantOf(user);
  switch (tenant.toLowerCase()) {
    case 'common':
      return true;
    case 'consumers':
      return tid === consumersTenantId;
    case 'organizations':
      return tid !== consumersTenantId;
    default:
      return tid === tenant.toLowerCase();
  }
}

/**
 * Auto-consent: the simulated person is signed in already and consents at once, so the page
 * answers straight away with the code, as the real one does once the person is done.
 */
function authorize(book: IdentityBook, tenant: string, url: URL, res: ServerResponse): void {
  const params = url.searchParams;
  const clientId = params.get('client_id') ?? '';
  const redirectUri = params.get('redirect_uri') ?? '';
  const fail = (error: OAuthError): void =>
    sendHtml(res, 400, errorPage(`AADSTS${error.aadsts}`, error.description));
  if (clientId === '') return fail(oauthErrors.missing('client_id'));
  if (!book.knownClient(clientId)) return fail(oauthErrors.unknownClient(clientId));
  if (redirectUri === '') return fail(oauthErrors.missing('redirect_uri'));
  if (!isLoopbackRedirect(redirectUri)) {
    return sendHtml(
      res,
      400,
      errorPage(
        'AADSTS50011',
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
      ),
    );
  }
  const responseMode = params.get('response_mode') ?? 'query';
  const state = params.get('state');
  const answer = (fields: Record<string, string>): void =>
    respondToApp(res, redirectUri, responseMode, state === null ? fields : { ...fields, state });
  const refuse = (error: string, description: string): void =>
    answer({ error, error_description: description });
  if (params.get('response_type') !== 'code') {
    return refuse('unsupported_response_type', 'AADSTS700054: response_type must be code.');
  }
  if (state === null || state === '') {
    return refuse('invalid_request', 'AADSTS900144: The request must contain a state parameter.');
  }
  const challenge = params.get('code_challenge') ?? '';
  if (challenge === '') {
    return refuse('invalid_request', 'AADSTS9002325: Proof Key for Code Exchange is required.');
  }
  if (params.get('code_challenge_method') !== 'S256') {
    return refuse('invalid_request', 'AADSTS501491: code_challenge_method must be S256.');
  }
  const scopes = parseScopes(params.get('scope'));
  if (scopes.length === 0) return refuse('invalid_request', 'AADSTS900144: scope is required.');
  const hint = params.get('login_hint');
  const user = hint === null || hint === '' ? book.defaultUser : book.findUser(hint);
  if (user === undefined) {
    return fail({
      status: 400,
      error: 'invalid_request',
      aadsts: 50034,
      description: `The user account ${hint ?? ''} does not exist in the directory.`,
    });
  }
  if (!tenantAdmits(tenant, user)) {
    return fail({
      status: 400,
      error: 'invalid_request',
      aadsts: 50020,
      description: `User account '${user.userPrincipalName}' does not exist in tenant '${tenant}'.`,
    });
  }
  const code = book.issueCode({
    clientId,
    redirectUri,
    challenge,
    user,
    scopes,
    nonce: params.get('nonce'),
  });
  answer({ code, client_info: clientInfo(user) });
}

function respondToApp(
  res: ServerResponse,
  redirectUri: string,
  responseMode: string,
  fields: Record<string, string>,
): void {
  if (responseMode === 'form_post') return sendHtml(res, 200, formPostPage(redirectUri, fields));
  const encoded = new URLSearchParams(fields).toString();
  const location =
    responseMode === 'fragment' ? `${redirectUri}#${encoded}` : `${redirectUri}?${encoded}`;
  res.writeHead(302, { Location: location, 'Content-Length': 0 });
  res.end();
}

// token and devicecode

async function readForm(exchange: Exchange): Promise<URLSearchParams | null> {
  const type = exchange.req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  const read = await readBody(exchange.req, formBodyCap);
  if (type !== formType || read.kind !== 'complete') return null;
  return new URLSearchParams(read.bytes.toString('utf8'));
}

function correlationOf(exchange: Exchange): string | null {
  return exchange.url.searchParams.get('client-request-id') ?? exchange.clientRequestId;
}

function sendOAuthError(book: IdentityBook, exchange: Exchange, error: OAuthError): void {
  book.countError(error.error);
  sendJson(exchange.res, error.status, oauthErrorBody(error, correlationOf(exchange), book.now()));
}

function isOAuthError(value: object): value is OAuthError {
  return 'aadsts' in value;
}

/** The named form fields, or the error for the first one missing. */
function requireFields<N extends string>(
  form: URLSearchParams,
  names: readonly N[],
): Record<N, string> | OAuthError {
  const values: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = form.get(name) ?? '';
    if (value === '') return oauthErrors.missing(name);
    values[name] = value;
  }
  return values as Record<N, string>;
}

function redeem(
  book: IdentityBook,
  form: URLSearchParams,
  clientId: string,
): Outcome<TokenAnswer> | OAuthError {
  const grantType = form.get('grant_type') ?? '';
  if (grantType === 'authorization_code') {
    const fields = requireFields(form, ['code', 'redirect_uri', 'code_verifier']);
    if (isOAuthError(fields)) return fields;
    return book.redeemCode({
      code: fields.code,
      clientId,
      redirectUri: fields.redirect_uri,
      verifier: fields.code_verifier,
    });
  }
  if (grantType === 'refresh_token') {
    const fields = requireFields(form, ['refresh_token']);
    if (isOAuthError(fields)) return fields;
    return book.redeemRefresh(fields.refresh_token, clientId, parseScopes(form.get('scope')));
  }
  if (deviceCodeGrants.has(grantType)) {
    const fields = requireFields(form, ['device_code']);
    if (isOAuthError(fields)) return fields;
    return book.redeemDevice(fields.device_code, clientId);
  }
  return grantType === ''
    ? oauthErrors.missing('grant_type')
    : oauthErrors.unsupportedGrant(grantType);
}

async function token(book: IdentityBook, exchange: Exchange): Promise<void> {
  const form = await readForm(exchange);
  if (form === null) return sendOAuthError(book, exchange, oauthErrors.missing('grant_type'));
  const clientId = form.get('client_id') ?? '';
  if (clientId === '') return sendOAuthError(book, exchange, oauthErrors.missing('client_id'));
  if (!book.knownClient(clientId)) {
    return sendOAuthError(book, exchange, oauthErrors.unknownClient(clientId));
  }
  const outcome = redeem(book, form, clientId);
  if (isOAuthError(outcome)) return sendOAuthError(book, exchange, outcome);
  if (!outcome.ok) return sendOAuthError(book, exchange, outcome.error);
  sendJson(exchange.res, 200, outcome.value, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}

async function deviceCode(book: IdentityBook, exchange: Exchange): Promise<void> {
  const form = await readForm(exchange);
  const clientId = form?.get('client_id') ?? '';
  if (clientId === '') return sendOAuthError(book, exchange, oauthErrors.missing('client_id'));
  if (!book.knownClient(clientId)) {
    return sendOAuthError(book, exchange, oauthErrors.unknownClient(clientId));
  }
  const scopes = parseScopes(form?.get('scope') ?? null);
  if (scopes.length === 0) return sendOAuthError(book, exchange, oauthErrors.missing('scope'));
  const started = book.startDevice(clientId, scopes);
  // The page a person opens; it is this simulator's own, so a real browser can reach it.
  const verificationUri = `${exchange.origin}/devicelogin`;
  sendJson(exchange.res, 200, {
    user_code: started.userCode,
    device_code: started.deviceCode,
    verification_uri: verificationUri,
    expires_in: started.expiresInSeconds,
    interval: started.intervalSeconds,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${started.userCode} to authenticate.`,
  });
}

/** The verification page: enter the code (and, here, which simulated account signs in). */
async function deviceLogin(book: IdentityBook, exchange: Exchange): Promise<void> {
  const { req, res } = exchange;
  const defaultUser = book.defaultUser.userPrincipalName;
  if (req.method !== 'POST') return sendHtml(res, 200, deviceLoginPage(null, defaultUser));
  const form = await readForm(exchange);
  const code = form?.get('user_code') ?? '';
  const hint = form?.get('login_hint') ?? '';
  const user = hint === '' ? book.defaultUser : book.findUser(hint);
  if (user === undefined) {
    return sendHtml(res, 400, deviceLoginPage(`No account ${hint} here.`, defaultUser));
  }
  if (!book.approveDevice(code, user)) {
    return sendHtml(
      res,
      400,
      deviceLoginPage('That code is not valid or has expired.', defaultUser),
    );
  }
  sendHtml(
    res,
    200,
    noticePage(
      'Signed in',
      `You signed in as ${user.userPrincipalName}. You can close this window and return to the app.`,
    ),
  );
}

// answers

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
  });
  res.end(html);
}
