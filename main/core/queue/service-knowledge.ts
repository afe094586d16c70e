import type { Database } from 'better-sqlite3';
import { z } from 'zod';

/**
 * What taskdrop learned about an account's service where the public sources are silent
 * (docs/graph-unknowns.md), remembered in the queue database so the engine stops making calls
 * that cannot work there (docs/upload-rules.md rule 11). Each fact has a stable id, the same that
 * `taskdrop doctor --live` prints and the simulator's variants answer differently
 * (docs/simulator-variants.md). A fact is trusted for `recheckAfterMs` after it was learned and
 * then looked at again, so a service that gains a feature gets it used.
 */
const factSchemas = {
  /** `GET {uploadUrl}` answers the session's state. */
  'session-get': z.enum(['supported', 'unsupported']),
  /** `GET …/tasks/{id}/attachmentSessions` lists live sessions. */
  'session-list': z.enum(['supported', 'unsupported']),
  /** The status a range at the wrong offset is refused with (416, 400, 409...). */
  'resend-answer': z.number().int().min(400).max(499),
  /** Key casing of an intermediate PUT answer. */
  'intermediate-casing': z.enum(['pascal', 'camel']),
  /** The largest attachment, in bytes. */
  'size-limit': z.number().int().positive(),
  /** Whether a POST with empty `contentBytes` is accepted. */
  'empty-inline': z.enum(['accepted', 'refused']),
  /** Items per page without `$top`. */
  'page-size': z.number().int().positive(),
  /** Whether the final 201 carries a `Location`. */
  'location-header': z.enum(['present', 'absent']),
};

export type FactId = keyof typeof factSchemas;
export type FactValue<F extends FactId> = z.infer<(typeof factSchemas)[F]>;
export const factIds = Object.keys(factSchemas) as FactId[];

/** Who found it out: an upload on the way, or a deliberate probe. */
export type FactSource = 'engine' | 'doctor';

export interface LearnedFact<F extends FactId = FactId> {
  accountId: string;
  fact: F;
  value: FactValue<F>;
  source: FactSource;
  learnedAt: number;
}

/** A day: a few wasted calls a day at most, and a service that changed is noticed by tomorrow. */
export const recheckAfterMs = 24 * 3_600_000;

interface FactRecord {
  account_id: string;
  fact: string;
  value: string;
  source: string;
  learned_at: number;
}

function isFactId(value: string): value is FactId {
  return Object.hasOwn(factSchemas, value);
}

/** A row as a fact; null for one this version does not know or whose value no longer fits. */
function toFact(record: FactRecord): LearnedFact | null {
  if (!isFactId(record.fact)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(record.value);
  } catch {
    return null;
  }
  const value = factSchemas[record.fact].safeParse(raw);
  if (!value.success) return null;
  return {
    accountId: record.account_id,
    fact: record.fact,
    value: value.data,
    source: record.source === 'doctor' ? 'doctor' : 'engine',
    learnedAt: record.learned_at,
  };
}

export class ServiceKnowledge {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Records (or replaces) a fact, stamped now. Throws when the value does not fit the fact. */
  learn<F extends FactId>(
    accountId: string,
    fact: F,
    value: FactValue<F>,
    source: FactSource = 'engine',
  ): void {
    const checked: unknown = factSchemas[fact].parse(value);
    this.#db
      .prepare(
        `INSERT INTO service_facts (account_id, fact, value, source, learned_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account_id, fact) DO UPDATE
         SET value = excluded.value, source = excluded.source, learned_at = excluded.learned_at`,
      )
      .run(accountId, fact, JSON.stringify(checked), source, this.#now());
  }

  /** The fact as last learned, however old; null when never learned. */
  get<F extends FactId>(accountId: string, fact: F): LearnedFact<F> | null {
    const record = this.#db
      .prepare<[string, string], FactRecord>(
        'SELECT * FROM service_facts WHERE account_id = ? AND fact = ?',
      )
      .get(accountId, fact);
    return record === undefined ? null : (toFact(record) as LearnedFact<F> | null);
  }

  /** The fact's value while it is fresh; null when unknown or due to be looked at again. */
  current<F extends FactId>(accountId: string, fact: F): FactValue<F> | null {
    const learned = this.get(accountId, fact);
    if (learned === null || this.#now() - learned.learnedAt >= recheckAfterMs) return null;
    return learned.value;
  }

  /** Everything known about the account, for `taskdrop doctor` and bug reports. */
  all(accountId: string): LearnedFact[] {
    return this.#db
      .prepare<[string], FactRecord>(
        'SELECT * FROM service_facts WHERE account_id = ? ORDER BY fact',
      )
      .all(accountId)
      .map(toFact)
      .filter((fact) => fact !== null);
  }

  /** Forgets one fact, or all of the account's (signed out, or asked to start over). */
  forget(accountId: string, fact?: FactId): void {
    if (fact === undefined) {
      this.#db.prepare('DELETE FROM service_facts WHERE account_id = ?').run(accountId);
    } else {
      this.#db
        .prepare('DELETE FROM service_facts WHERE account_id = ? AND fact = ?')
        .run(accountId, fact);
    }
  }

  /** The same, bound to one account: what an upload of that account is handed. */
  forAccount(accountId: string): AccountKnowledge {
    return {
      current: (fact) => this.current(accountId, fact),
      learn: (fact, value) => this.learn(accountId, fact, value),
      note: (fact, value) => {
        if (this.current(accountId, fact) !== value) this.learn(accountId, fact, value);
      },
    };
  }
}

/** One account's knowledge, as the engine uses it while uploading. */
export interface AccountKnowledge {
  current<F extends FactId>(fact: F): FactValue<F> | null;
  learn<F extends FactId>(fact: F, value: FactValue<F>): void;
  /** learn, but only when it changes the fact or renews a stale one: not one write per request. */
  note<F extends FactId>(fact: F, value: FactValue<F>): void;
}
