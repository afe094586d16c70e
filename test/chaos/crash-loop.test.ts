import { describe, expect, it } from 'vitest';
import type { VariantName } from '../../main/simulator/index.ts';
import { megabytes } from './batch.ts';
import { runCrashLoop } from './crash-loop.ts';

/** The short crash loop; `npm run chaos` runs the full one (100 kills, 50 files up to 25 MB). */
const seed = Number(process.env['TASKDROP_CRASH_SEED'] ?? 20261122);
const kills = 12;
/** Every size where the protocol changes: empty, the POST limit, one range, a range and a byte. */
const sizes = [
  0, 1, 1_000, 65_536, 300_000, 2_899_999, 2_900_000, 2_900_001, 3_932_159, 3_932_160, 3_932_161,
  5_000_000, 7_864_321, 9_000_000, 11_796_480, 12_000_000, 1_048_576, 4_500_000, 6_000_000, 123,
];

/** The default service, and every variant at once (docs/simulator-variants.md). */
const rounds: { name: string; variants: VariantName[] }[] = [
  { name: 'default', variants: [] },
  { name: 'pessimistic', variants: ['pessimistic'] },
];

describe.each(rounds)(
  'crash safety: the CLI killed with SIGKILL at random moments ($name)',
  ({ name, variants }) => {
    it(`attaches every file exactly once, byte-identical (seed ${seed})`, async () => {
      const result = await runCrashLoop({ seed, kills, sizes, variants });
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
      console.log(
        `crash loop (${name}, seed ${seed}): ${result.kills} kills in ${result.launches} runs, ` +
          `${megabytes(result.bytesSent)} sent for ${megabytes(result.onePassBytes)} in one clean pass`,
      );
    }, 180_000);
  },
);
