import type { PagingRules, ThrottleRules, UploadRules } from './types.ts';

/**
 * Service variants: what the real service may do where no public source says what it does
 * (docs/graph-unknowns.md). Each one is one plausible answer to one open fact; the engine must
 * attach every file exactly once under each of them and under all at once. The evidence for each
 * is in docs/simulator-variants.md.
 */
export const variantNames = [
  'no-session-get',
  'no-session-list',
  'resend-400',
  'camel-case',
  'throttle-bare',
  'limit-25000000',
  'no-empty-inline',
  'short-sessions',
  'page-50',
  'pessimistic',
] as const;
export type VariantName = (typeof variantNames)[number];

/** The rules a variant changes; what it leaves out stays as the defaults (or the options) say. */
export interface VariantRules {
  upload: Partial<UploadRules>;
  paging: Partial<PagingRules>;
  throttle: Partial<ThrottleRules>;
}

export type SingleVariant = Exclude<VariantName, 'pessimistic'>;

/**
 * The fact each variant answers differently, by the stable id the engine's knowledge store and
 * `taskdrop doctor` use (main/core/graph/service-knowledge.ts); null for none they store.
 */
export const variantFacts: Record<SingleVariant, string | null> = {
  'no-session-get': 'session-get',
  'no-session-list': 'session-list',
  'resend-400': 'resend-answer',
  'camel-case': 'intermediate-casing',
  'throttle-bare': null,
  'limit-25000000': 'size-limit',
  'no-empty-inline': 'empty-inline',
  'short-sessions': null,
  'page-50': 'page-size',
};

const single: Record<SingleVariant, Partial<VariantRules>> = {
  'no-session-get': {
    upload: { sessionGetRefusal: { status: 405, code: 'methodNotAllowed' } },
  },
  'no-session-list': {
    upload: { sessionListRefusal: { status: 404, code: 'UnknownError' } },
  },
  'resend-400': { upload: { rangeOutOfOrder: { status: 400, code: 'invalidRequest' } } },
  'camel-case': { upload: { intermediateCasing: 'camel' } },
  'throttle-bare': { throttle: { retryAfter: false } },
  'limit-25000000': { upload: { maxAttachmentBytes: 25_000_000 } },
  'no-empty-inline': {
    upload: { emptyInlineRefusal: { status: 400, code: 'invalidRequest' } },
  },
  'short-sessions': { upload: { sessionLifetimeMs: 2 * 60_000 } },
  'page-50': { paging: { defaultPageSize: 50, listsNextLinkOnlyWithTop: false } },
};

const singleVariants = variantNames.filter((name): name is SingleVariant => name !== 'pessimistic');

export class UnknownVariantError extends Error {
  constructor(name: string) {
    super(`unknown simulator variant "${name}"; the variants are: ${variantNames.join(', ')}`);
    this.name = 'UnknownVariantError';
  }
}

function isVariantName(name: string): name is VariantName {
  return (variantNames as readonly string[]).includes(name);
}

/** `a,b` (as `--variant` takes it) as variant names; an unknown one is an error naming them all. */
export function parseVariantList(text: string): VariantName[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      if (!isVariantName(name)) throw new UnknownVariantError(name);
      return name;
    });
}

/** The variants a list turns on, `pessimistic` standing for all of them. */
export function expandVariants(names: readonly string[]): SingleVariant[] {
  const expanded = new Set<SingleVariant>();
  for (const name of names) {
    if (!isVariantName(name)) throw new UnknownVariantError(name);
    if (name === 'pessimistic') for (const each of singleVariants) expanded.add(each);
    else expanded.add(name);
  }
  return [...expanded];
}

/** The rules of the variants together (no two change the same rule). */
export function variantRules(names: readonly string[]): VariantRules {
  const rules: VariantRules = { upload: {}, paging: {}, throttle: {} };
  for (const name of expandVariants(names)) {
    const change = single[name];
    Object.assign(rules.upload, change.upload);
    Object.assign(rules.paging, change.paging);
    Object.assign(rules.throttle, change.throttle);
  }
  return rules;
}
