import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotatingLogFile } from '../../main/core/logging/log-file.ts';
import { createLogger } from '../../main/core/logging/logger.ts';
import { redacted, redactText, redactValue } from '../../main/core/logging/redact.ts';
import {
  authRig,
  clientId,
  readSealedCache,
  signInByDeviceCode,
  type AuthRig,
} from '../auth/support.ts';
import { firstTask } from '../support/engine-harness.ts';
import { raw } from '../support/raw-http.ts';

describe('redactText', () => {
  it.each([
    ['Authorization: Bearer abc.def-123', 'Authorization: [redacted]'],
    ['sent Bearer eyJhbGciOi.x to Graph', 'sent Bearer [redacted] to Graph'],
    [
      'grant_type=refresh_token&refresh_token=M.C5_BAY.abc&client_id=app',
      'grant_type=refresh_token&refresh_token=[redacted]&client_id=app',
    ],
    [
      'http://localhost:53100/?code=M.R3_BAY.c0de&state=xyz',
      'http://localhost:53100/?code=[redacted]&state=xyz',
    ],
    [
      '{"access_token":"EwB0A8l6","expires_in":3599}',
      '{"access_token":"[redacted]","expires_in":3599}',
    ],
    ["{ client_secret: 'hunter2', retries: 3 }", `{ client_secret: ${redacted}, retries: 3 }`],
    ['password: hunter2 was refused', 'password: [redacted] was refused'],
    ['Cookie: a=1; b=2', 'Cookie: [redacted]'],
    [
      'id token eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2lnbmF0dXJl arrived',
      'id token [redacted] arrived',
    ],
    [
      'https://contoso-my.sharepoint.com/personal/a/_api/v2.0/drive/items/01X/uploadSession?guid=g1&path=~tmp&tempauth=eyJ0eXAi.eyJhdWQi.sig',
      'https://contoso-my.sharepoint.com/personal/a/_api/v2.0/drive/items/01X/uploadSession?guid=[redacted]&path=[redacted]&tempauth=[redacted]',
    ],
    [
      "https://outlook.office.com/api/v2.0/Users('u')/Messages('m')/AttachmentSessions('s')?authtoken=eyJhbGci.eyJ2ZXIi.c2ln",
      "https://outlook.office.com/api/v2.0/Users('u')/Messages('m')/AttachmentSessions('s')?authtoken=[redacted]",
    ],
    ['https://user:pa55@example.com/x', 'https://[redacted]@example.com/x'],
    ['http://127.0.0.1:5173/#s3cretOfThisRun', 'http://127.0.0.1:5173/#[redacted]'],
    [
      'invalid_grant: M.C105_BAY.0.U.-CgYh4bZ!T3aPzDq*Kx9 was revoked',
      'invalid_grant: [redacted] was revoked',
    ],
    [`refresh with 0.AXkA${'Qm9b'.repeat(12)} failed`, 'refresh with [redacted] failed'],
    [`token EwBwA8l6${'BAAUkjDq'.repeat(20)}== expired`, 'token [redacted] expired'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it('keeps what tells what happened: Graph codes, request ids, plain URLs, times', () => {
    const text =
      'PUT https://graph.microsoft.com/v1.0/users/6f9a/todo/lists/L1/tasks/T1/attachmentSessions/S1/content ' +
      'answered 404 (code: itemNotFound, request-id 5e0c-11) at 12:30:01 {"code":"itemNotFound"}';
    expect(redactText(text)).toBe(text);
  });

  it('redacts fields by name at any depth, and bounds what it keeps', () => {
    const value = redactValue({
      headers: { Authorization: 'Bearer x', 'content-type': 'application/json' },
      nested: { deeper: { refreshToken: 'r', clientSecret: 's', apiKey: 'k', count: 2 } },
      error: Object.assign(new Error('Bearer abc failed'), { code: 'itemNotFound', status: 404 }),
      long: 'a'.repeat(10_000),
      many: Array.from({ length: 60 }, (_, index) => index),
    }) as Record<string, Record<string, unknown>>;
    expect(value['headers']).toEqual({
      Authorization: redacted,
      'content-type': 'application/json',
    });
    expect(value['nested']).toEqual({
      deeper: { refreshToken: redacted, clientSecret: redacted, apiKey: redacted, count: 2 },
    });
    expect(value['error']).toMatchObject({
      name: 'Error',
      message: 'Bearer [redacted] failed',
      code: 'itemNotFound',
      status: 404,
    });
    expect(String(value['long']).length).toBeLessThan(2_100);
    expect(value['many']).toHaveLength(51);
  });
});

describe('what reaches the log file (tokens the simulator really issued)', () => {
  let rig: AuthRig;
  let dir: string;
  let fileBytes: string;
  let uploadUrl: string;

  beforeAll(async () => {
    rig = await authRig();
    dir = mkdtempSync(join(tmpdir(), 'taskdrop-redaction-'));
    await signInByDeviceCode(rig.accounts, rig.sim);
    const cache = await readSealedCache(rig);
    const [refreshToken] = Object.values(cache.RefreshToken).map((entry) => entry.secret);
    const [accessToken] = Object.values(cache.AccessToken).map((entry) => entry.secret);
    const form = new URLSearchParams({
      client_id: clientId,
      grant_type: 'refresh_token',
      refresh_token: refreshToken ?? '',
      scope: 'Tasks.ReadWrite offline_access openid profile',
    }).toString();
    const answer = await raw(`${rig.sim.origin}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(answer.text).toContain('refresh_token');
    const target = await firstTask(rig.sim, 'Receipts 2026');
    const session = await raw(
      `${rig.sim.graphUrl}/me/todo/lists/${target.listId}/tasks/${target.taskId}/attachments/createUploadSession`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${rig.sim.testToken}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          attachmentInfo: { attachmentType: 'file', name: 'a.pdf', size: 9 },
        }),
      },
    );
    uploadUrl = (session.json() as { uploadUrl: string }).uploadUrl;

    const file = new RotatingLogFile({ dir });
    const log = createLogger({ sink: file, level: 'debug' });
    log.debug(`GET /me/todo/lists with Authorization: Bearer ${accessToken ?? ''}`);
    log.info('token answer', { body: answer.text });
    log.info(`token request body: ${form}`);
    log.info('msal cache written', { cache });
    log.info(`msal cache: ${JSON.stringify(cache)}`);
    log.warn('token refresh failed', {
      error: new Error(`invalid_grant for ${refreshToken ?? ''} (${accessToken ?? ''})`),
      request: { headers: { authorization: `Bearer ${accessToken ?? ''}` }, body: form },
    });
    log.info('upload session created', { uploadUrl });
    log.info('range sent', { url: `${uploadUrl}/content?tempauth=secret-tempauth-value` });
    log.error('upload failed', { graphCode: 'itemNotFound', requestId: 'req-42', status: 404 });
    file.close();
    fileBytes = readFileSync(file.path, 'utf8');
  }, 30_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await rig?.close();
  });

  it('holds no token the identity side issued, no tempauth, no refresh request secret', () => {
    const issued = rig.sim.control.identity.issued();
    const secrets = [...issued.accessTokens, ...issued.refreshTokens, ...issued.idTokens];
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) expect(fileBytes).not.toContain(secret);
    expect(fileBytes).not.toContain(rig.sim.testToken);
    expect(fileBytes).not.toContain('secret-tempauth-value');
    // Whatever the shape a token came in, not even a recognisable piece of one is left.
    expect(fileBytes).not.toMatch(/simtok\.|simrt\.|eyJ0eXAi/);
  });

  it('keeps what makes a log useful: hosts and paths, Graph codes and request ids', () => {
    const records = fileBytes
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(9);
    expect(records.find((record) => record['msg'] === 'upload session created')).toMatchObject({
      uploadUrl,
    });
    expect(fileBytes).toContain(`${uploadUrl}/content?tempauth=${redacted}`);
    expect(records.at(-1)).toMatchObject({
      level: 'error',
      graphCode: 'itemNotFound',
      requestId: 'req-42',
      status: 404,
    });
    expect(fileBytes).toContain('grant_type=refresh_token');
    expect(fileBytes).toContain('\\"expires_in\\":3600');
  });
});
