import { randomUUID } from 'node:crypto';
import type { FaultAction, FaultRule, FaultRuleInput, Operation } from './types.ts';

/**
 * Faults injected on demand: each rule watches one operation (or all) and fires on its Nth
 * matching request, for `times` requests in a row (0 = from then on, forever); with a `chance`
 * below 1, each of those requests fires only with that chance.
 */
export class FaultBook {
  #rules: FaultRule[] = [];
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  add(input: FaultRuleInput): FaultRule {
    const nth = input.nth ?? 1;
    const times = input.times ?? 1;
    const chance = input.chance ?? 1;
    if (!Number.isInteger(nth) || nth < 1) throw new RangeError('nth must be a whole number ≥ 1');
    if (!Number.isInteger(times) || times < 0) throw new RangeError('times must be ≥ 0');
    if (!(chance > 0 && chance <= 1)) throw new RangeError('chance must be above 0, at most 1');
    const rule: FaultRule = {
      id: randomUUID(),
      operation: input.operation,
      nth,
      times,
      chance,
      action: input.action,
      seen: 0,
      fired: 0,
    };
    this.#rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((rule) => rule.id !== id);
    return this.#rules.length < before;
  }

  clear(): void {
    this.#rules = [];
  }

  /** The actions that fire for this request, in the order their rules were added. */
  match(operation: Operation): FaultAction[] {
    const actions: FaultAction[] = [];
    for (const rule of this.#rules) {
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      rule.seen += 1;
      const active = rule.seen >= rule.nth && (rule.times === 0 || rule.fired < rule.times);
      if (!active) continue;
      if (rule.chance < 1 && this.#random() >= rule.chance) continue;
      rule.fired += 1;
      actions.push(rule.action);
    }
    return actions;
  }
}
