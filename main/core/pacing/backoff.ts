/**
 * Jittered exponential backoff (docs/upload-rules.md rule 5): step 1 waits between `baseMs / 2` and
 * `baseMs`, each further step doubles that, up to `capMs`. Half fixed, half random: many waiting
 * requests spread out without any of them ever going again at once.
 */
export function jitteredBackoff(
  step: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, step - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
