import { z } from 'zod';
import { parseJson, readBody } from './body.ts';
import type { SimulatorControl } from './control.ts';
import type { Exchange } from './server.ts';
import { operations } from './types.ts';

const faultAction = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('status'),
    status: z.number().int().min(400).max(599),
    retryAfter: z.string().optional(),
    code: z.string().optional(),
  }),
  z.object({ type: z.literal('drop-before-commit') }),
  z.object({ type: z.literal('drop-after-commit') }),
  z.object({ type: z.literal('omit-location') }),
  z.object({ type: z.literal('lowercase-location') }),
  z.object({ type: z.literal('expire-token') }),
  z.object({ type: z.literal('delay'), ms: z.number().int().min(0).max(600_000) }),
]);

const faultRule = z.object({
  operation: z.enum([...operations, '*']),
  nth: z.number().int().min(1).optional(),
  times: z.number().int().min(0).optional(),
  chance: z.number().gt(0).max(1).optional(),
  action: faultAction,
});

const positive = z.number().int().positive();
const limitsPatch = z
  .object({
    maxConcurrentRequests: positive,
    maxRequestsPerWindow: positive,
    requestWindowMs: positive,
    maxUploadBytesPerWindow: positive,
    uploadWindowMs: positive,
  })
  .partial();

const tokenRequest = z.object({
  userId: z.string().optional(),
  lifetimeMs: z.number().int().min(0).optional(),
});
const expireRequest = z.object({ accessToken: z.string().optional() });
const clockRequest = z.object({ advanceMs: z.number().int().min(0) });
const userRequest = z.object({
  displayName: z.string().min(1),
  userPrincipalName: z.string().min(3),
});

type Answer = { status: number; body: unknown } | { status: number; bytes: Buffer };

const ok = (body: unknown): Answer => ({ status: 200, body });
const problem = (status: number, message: string): Answer => ({ status, body: { error: message } });

/**
 * The test-only routes under /_sim: read what the server holds, inject faults, move the clock,
 * issue tokens, change the limits. Never served when the simulator starts without inspection.
 */
export async function handleInspection(
  control: SimulatorControl,
  exchange: Exchange,
): Promise<void> {
  const { req, res, url } = exchange;
  const read = await readBody(req, 1_000_000);
  const body = read.kind === 'complete' && read.bytes.length > 0 ? parseJson(read.bytes) : {};
  let answer: Answer;
  try {
    // Ids end in `=`, which clients percent-encode in paths.
    const path = url.pathname
      .replace(/^\/_sim\/?/, '')
      .split('/')
      .filter(Boolean)
      .map((segment) => decodeURIComponent(segment));
    answer = route(control, req.method ?? 'GET', path, body, url.searchParams);
  } catch (error) {
    answer = problem(400, error instanceof Error ? error.message : String(error));
  }
  if ('bytes' in answer) {
    res.writeHead(answer.status, { 'Content-Type': 'application/octet-stream' });
    res.end(answer.bytes);
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

function route(
  control: SimulatorControl,
  method: string,
  path: string[],
  body: unknown,
  query: URLSearchParams,
): Answer {
  const [resource, id, sub] = path;
  const key = `${method} ${resource ?? ''}${id === undefined ? '' : ' :id'}${sub === undefined ? '' : ` ${sub}`}`;
  switch (key) {
    case 'GET ':
      return ok({ users: control.users(), limits: control.limits(), now: control.now() });
    case 'GET attachments':
      return ok(control.attachments());
    case 'GET attachments :id content': {
      const bytes = control.attachmentBytes(id ?? '');
      return bytes === undefined
        ? problem(404, 'no such attachment bytes')
        : { status: 200, bytes };
    }
    case 'GET sessions':
      return ok(control.sessions());
    case 'GET counters':
      return ok(control.counters());
    case 'DELETE counters':
      control.resetCounters();
      return ok(control.counters());
    case 'GET requests':
      return ok(control.requests(Number(query.get('since') ?? 0)));
    case 'GET faults':
      return ok(control.faults());
    case 'POST faults':
      return ok(control.addFault(faultRule.parse(body)));
    case 'DELETE faults':
      control.clearFaults();
      return ok([]);
    case 'DELETE faults :id':
      return control.removeFault(id ?? '')
        ? ok({ removed: id })
        : problem(404, 'no such fault rule');
    case 'GET clock':
      return ok({ now: control.now() });
    case 'POST clock':
      return ok({ now: control.advanceClock(clockRequest.parse(body).advanceMs) });
    case 'GET limits':
      return ok(control.limits());
    case 'PUT limits':
      return ok(control.setLimits(limitsPatch.parse(body)));
    case 'GET users':
      return ok(control.users());
    case 'POST users': {
      const input = userRequest.parse(body);
      return ok(control.addUser(input.displayName, input.userPrincipalName));
    }
    case 'POST tokens':
      return ok(control.issueToken(tokenRequest.parse(body)));
    case 'POST tokens :id':
      if (id !== 'expire') break;
      control.expireTokens(expireRequest.parse(body).accessToken);
      return ok({ expired: true });
  }
  return problem(404, `no inspection route ${method} /_sim/${path.join('/')}`);
}
