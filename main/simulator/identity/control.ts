import { z } from 'zod';
import { parseJson, readBody } from '../body.ts';
import type { UserRecord } from '../model.ts';
import type { Exchange } from '../server.ts';
import type { IdentityBook } from './grants.ts';
import type { DeviceCodeInfo, IdentityCounters, IdentityOptions, IssuedSecrets } from './types.ts';

/**
 * Test and tool control of the identity side: approve device codes, revoke refresh tokens,
 * shorten access-token lifetimes, read what was issued. In-process callers use the methods;
 * `/_sim/identity/...` serves the same over HTTP.
 */
export class IdentityControl {
  readonly #book: IdentityBook;

  constructor(book: IdentityBook) {
    this.#book = book;
  }

  options(): IdentityOptions {
    return structuredClone(this.#book.options);
  }

  setOptions(changes: Partial<Pick<IdentityOptions, 'accessTokenLifetimeMs'>>): IdentityOptions {
    Object.assign(this.#book.options, changes);
    return this.options();
  }

  /** Signs the device code's person in as `user` (id or userPrincipalName; default user if none). */
  approveDevice(userCode: string, user?: string): DeviceCodeInfo {
    const record = this.#user(user);
    if (!this.#book.approveDevice(userCode, record)) {
      throw new RangeError(`no device code ${userCode} is waiting`);
    }
    return this.#device(userCode);
  }

  declineDevice(userCode: string): DeviceCodeInfo {
    if (!this.#book.declineDevice(userCode)) {
      throw new RangeError(`no device code ${userCode} is waiting`);
    }
    return this.#device(userCode);
  }

  deviceCodes(): DeviceCodeInfo[] {
    return this.#book.deviceCodes();
  }

  /** Revokes the refresh tokens of one user, or of everyone; answers how many. */
  revokeRefreshTokens(user?: string): number {
    return this.#book.revoke(user === undefined ? undefined : this.#user(user).id);
  }

  counters(): IdentityCounters {
    return this.#book.counters();
  }

  resetCounters(): void {
    this.#book.resetCounters();
  }

  /** Every token handed out so far (tests look for them where they must not be). */
  issued(): IssuedSecrets {
    return this.#book.issued();
  }

  #user(ref: string | undefined): UserRecord {
    if (ref === undefined) return this.#book.defaultUser;
    const user = this.#book.findUser(ref);
    if (user === undefined) throw new RangeError(`no simulated user ${ref}`);
    return user;
  }

  #device(userCode: string): DeviceCodeInfo {
    const wanted = userCode.replace(/[\s-]/g, '').toUpperCase();
    const found = this.#book.deviceCodes().find((device) => device.userCode === wanted);
    if (found === undefined) throw new RangeError(`no device code ${userCode}`);
    return found;
  }
}

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
