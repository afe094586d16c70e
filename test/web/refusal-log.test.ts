import { describe, expect, it } from 'vitest';
import { createLogger } from '../../main/core/logging/logger.ts';
import { RefusalLog } from '../../main/web/refusal-log.ts';

describe('what the web server writes down of what it refused', () => {
  it('writes 100 a minute, then says how many it left out', () => {
    let now = 1_000_000;
    const log = createLogger({ recentLimit: 1_000, now: () => now });
    const refusals = new RefusalLog(log, () => now);
    for (let index = 0; index < 150; index += 1) refusals.refused('bad request refused', { index });
    const firstMinute = log.recentProblems();
    expect(firstMinute).toHaveLength(100);
    expect(firstMinute[99]?.fields).toEqual({ index: 99, lastThisMinute: true });

    now += 60_000;
    refusals.refused('bad request refused', { index: 150 });
    const [summary, next] = log.recentProblems().slice(100);
    expect(summary).toMatchObject({
      level: 'warn',
      msg: 'more was refused than written down',
      fields: { notWritten: 50 },
    });
    expect(next?.fields).toEqual({ index: 150 });
  });
});
