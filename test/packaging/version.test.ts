import { describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { runCli } from '../support/cli.ts';

describe('the version', () => {
  it('is package.json’s, in `taskdrop --version` and `-v`', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`taskdrop ${packageJson.version}\n`);
    }
  });
});
