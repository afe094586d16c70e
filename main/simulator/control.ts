import type { SimClock } from './clock.ts';
import { graphTime } from './clock.ts';
import type { FaultBook } from './faults.ts';
import type { IdentityControl } from './identity/index.ts';
import type { MailboxGate } from './limits.ts';
import type { Observer } from './observer.ts';
import { seedBuiltInLists } from './seed.ts';
import type { SimStore } from './store.ts';
import type { TokenBook } from './tokens.ts';
import type {
  Counters,
  FaultRule,
  FaultRuleInput,
  IssuedToken,
  LiveSessionInfo,
  MailboxLimits,
  RequestLogEntry,
  StoredAttachmentInfo,
  UserInfo,
} from './types.ts';

export interface ControlParts {
  store: SimStore;
  clock: SimClock;
  faults: FaultBook;
  gate: MailboxGate;
  tokens: TokenBook;
  observer: Observer;
  identity: IdentityControl;
  tokenLifetimeMs: number;
}

/**
 * Inspection and control of a running simulator, for tests and tools. The /_sim routes serve
 * exactly these methods; in-process callers use them directly.
 */
export class SimulatorControl {
  readonly #parts: ControlParts;

  constructor(parts: ControlParts) {
    this.#parts = parts;
  }

  /** The identity side: device-code approval, refresh-token revocation, token lifetimes. */
  get identity(): IdentityControl {
    return this.#parts.identity;
  }

  // Faults

  addFault(rule: FaultRuleInput): FaultRule {
    return this.#parts.faults.add(rule);
  }

  faults(): FaultRule[] {
    return this.#parts.faults.list();
  }

  removeFault(id: string): boolean {
    return this.#parts.faults.remove(id);
  }

  clearFaults(): void {
    this.#parts.faults.clear();
  }

  // Time

  now(): number {
    return this.#parts.clock.now();
  }

  advanceClock(ms: number): number {
    this.#parts.clock.advance(ms);
    return this.now();
  }

  // Limits

  limits(): MailboxLimits {
    return { ...this.#parts.gate.limits };
  }

  setLimits(changes: Partial<MailboxLimits>): MailboxLimits {
    this.#parts.gate.limits = { ...this.#parts.gate.limits, ...changes };
    return this.limits();
  }

  // Users and tokens

  users(): UserInfo[] {
    return this.#parts.store.users().map((user) => ({ ...user }));
  }

  addUser(displayName: string, userPrincipalName: string): UserInfo {
    const { store } = this.#parts;
    const user = store.addUser(displayName, userPrincipalName);
    seedBuiltInLists(store, user.id);
    return { ...user };
  }

  issueToken(input: { userId?: string; lifetimeMs?: number } = {}): IssuedToken {
    const userId = input.userId ?? this.#parts.store.defaultUser.id;
    if (this.#parts.store.findUser(userId) === undefined) {
      throw new RangeError(`no simulated user ${userId}`);
    }
    return this.#parts.tokens.issue(userId, input.lifetimeMs ?? this.#parts.tokenLifetimeMs);
  }

  expireTokens(accessToken?: string): void {
    this.#parts.tokens.expire(accessToken);
  }

  // What the server holds

  attachments(): StoredAttachmentInfo[] {
    return this.#parts.store.allAttachments().map((attachment) => ({ ...attachment }));
  }

  attachmentBytes(attachmentId: string): Buffer | undefined {
    return this.#parts.store.attachmentBytes(attachmentId);
  }

  sessions(): LiveSessionInfo[] {
    const now = this.now();
    return this.#parts.store.allSessions().map((session) => ({
      id: session.id,
      userId: session.userId,
      listId: session.listId,
      taskId: session.taskId,
      name: session.name,
      size: session.size,
      nextOffset: session.nextOffset,
      expirationDateTime: graphTime(session.expiresAt),
      expired: session.expiresAt <= now,
    }));
  }

  // Observation

  counters(): Counters {
    return this.#parts.observer.counters();
  }

  resetCounters(): void {
    this.#parts.observer.reset();
  }

  requests(sinceSeq = 0): RequestLogEntry[] {
    return this.#parts.observer.requests(sinceSeq);
  }
}
