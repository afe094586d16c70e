import { z } from 'zod';
import { parseJson, readBody } from '../body.ts';
import type { Exchange } from '../server.ts';
import type { IdentityControl } from './control.ts';

const deviceRequest = z.object({ userCode: z.string().min(1), user: z.string().optional() });
const revokeRequest = z.object({ user: z.string().optional() });
const optionsPatch = z.object({ accessTokenLifetimeMs: z.number().int().min(1_000).optional() });

type Answer = { status: number; body: unknown };

function route(control: IdentityControl, method: string, path: string, body: unknown): Answer {
  switch (`${method} ${path}`) {
    case 'GET ':
      return {
        status: 200,
        body: {
          options: control.options(),
          counters: control.counters(),
          deviceCodes: control.deviceCodes(),
        },
      };
    case 'PUT options':
      return { status: 200, body: control.setOptions(optionsPatch.parse(body)) };
    case 'GET counters':
      return { status: 200, body: control.counters() };
    case 'DELETE counters':
      control.resetCounters();
      return { status: 200, body: control.counters() };
    case 'GET issued':
      return { status: 200, body: control.issued() };
    case 'GET device':
      return { status: 200, body: control.deviceCodes() };
    case 'POST device/approve': {
      const input = deviceRequest.parse(body);
      return { status: 200, body: control.approveDevice(input.userCode, input.user) };
    }
    case 'POST device/decline':
      return { status: 200, body: control.declineDevice(deviceRequest.parse(body).userCode) };
    case 'POST revoke':
      return {
        status: 200,
        body: { revoked: control.revokeRefreshTokens(revokeRequest.parse(body).user) },
      };
  }
  return {
    status: 404,
    body: { error: `no identity control route ${method} /_sim/identity/${path}` },
  };
}

/** `/_sim/identity/...`: served only when the simulator serves its inspection routes. */
export async function handleIdentityControl(
  control: IdentityControl,
  exchange: Exchange,
): Promise<void> {
  const { req, res, url } = exchange;
  const read = await readBody(req, 64 * 1024);
  const body = read.kind === 'complete' && read.bytes.length > 0 ? parseJson(read.bytes) : {};
  const path = url.pathname.replace(/^\/_sim\/identity\/?/, '').replace(/\/$/, '');
  let answer: Answer;
  try {
    answer = route(control, req.method ?? 'GET', path, body);
  } catch (error) {
    answer = {
      status: 400,
      body: { error: error instanceof Error ? error.message : String(error) },
    };
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}
