import { describe, expect, it } from 'vitest';
import type { VariantName } from '../../main/simulator/index.ts';
import { runSoak } from './soak.ts';

/** The short soak; `npm run chaos` runs the full one (1,000 files, 5 % of requests faulted). */
const seed = Number(process.env['TASKDROP_SOAK_SEED'] ?? 20261122);
/** Mostly small POSTs, a few session uploads of one to three ranges. */
const sizes = [
  0, 1, 512, 4_096, 20_000, 65_536, 150_000, 300_000, 700_000, 1_000_000, 1_500_000, 2_000_000,
  2_500_000, 2_900_000, 2_900_001, 3_932_161, 5_000_000, 9_000_000, 42, 800_000,
];

/** The default service, and every variant at once (docs/simulator-variants.md). */
const rounds: { name: string; variants: VariantName[] }[] = [
  { name: 'default', variants: [] },
  { name: 'pessimistic', variants: ['pessimistic'] },
];

describe.each(rounds)(
  'a batch through a faulty network and a faulty server ($name)',
  ({ variants }) => {
    it(`attaches every file exactly once, byte-identical (seed ${seed})`, async () => {
      const result = await runSoak({
        seed,
        sizes,
        variants,
        faultRate: 0.1,
        proxy: {
          faultRate: 0.15,
          requestWindowBytes: 1024 * 1024,
          responseWindowBytes: 4096,
          stallMs: { min: 100, max: 800 },
          latencyMs: 2,
          bytesPerSecond: 50_000_000,
        },
        timeoutMs: 150_000,
      });
      console.log(JSON.stringify({ injected: result.injected, seen: result.seen }, null, 1));
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
      // The run met trouble on both layers, and the jobs went through it.
      const proxyFaults = Object.values(result.injected.proxy.injected).reduce((a, b) => a + b, 0);
      const simulatorFaults = Object.values(result.injected.simulator).reduce((a, b) => a + b, 0);
      expect(proxyFaults).toBeGreaterThan(0);
      expect(simulatorFaults).toBeGreaterThan(0);
      expect(Object.keys(result.seen.retries).length).toBeGreaterThan(0);
    }, 180_000);
  },
);
