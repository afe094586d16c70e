import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** What the layering rule (docs/architecture.md) says about `code` placed at `filePath`. */
async function layering(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'taskdrop/layering' || message.fatal === true)
    .map((message) => message.message);
}

const importing = (specifier: string): string =>
  `import * as probe from '${specifier}';\nexport const used = probe;\n`;

describe('the layering rule: who may import whom (docs/architecture.md)', () => {
  it.each([
    ['main/core/engine/probe.ts', 'electron', 'Electron-free'],
    ['main/simulator/probe.ts', 'electron', 'stands alone'],
    ['main/cli/probe.ts', 'electron', 'plain Node'],
    ['main/web/probe.ts', 'electron', 'plain Node'],
    ['main/core/engine/probe.ts', '../../app/ipc.ts', 'core may not import app'],
    ['main/core/engine/probe.ts', '../../web/web-server.ts', 'core may not import web'],
    ['main/simulator/probe.ts', '../core/paths.ts', 'simulator may not import core'],
    ['renderer/lib/probe.ts', '../../main/core/engine/engine.ts', 'renderer may not import core'],
    ['renderer/lib/probe.ts', 'node:fs', 'Node built-ins'],
    ['renderer/lib/probe.ts', 'path', 'Node built-ins'],
    ['renderer/lib/probe.ts', 'electron', 'renderer may not import electron'],
    ['renderer/lib/probe.ts', '../../preload/bridge.ts', 'renderer may not import preload'],
    ['preload/probe.ts', 'node:fs', 'Node built-ins'],
    ['preload/probe.ts', '../main/core/paths.ts', 'preload may not import core'],
    ['preload/shared/contract.ts', 'electron', 'shared may not import electron'],
    ['preload/shared/contract.ts', '../../main/core/paths.ts', 'shared may not import core'],
    ['preload/shared/limits.ts', '../bridge.ts', 'shared may not import preload'],
    ['preload/shared/job-states.ts', 'node:fs', 'Node built-ins'],
    [
      'main/simulator/probe.ts',
      '../../preload/shared/limits.ts',
      'simulator may not import shared',
    ],
  ])('refuses %s importing %s', async (file, specifier, reason) => {
    const messages = await layering(file, importing(specifier));
    expect(messages).toEqual([expect.stringContaining(reason)]);
  });

  it('checks dynamic import(), require() and re-exports like static imports', async () => {
    const code = [
      'export async function load(): Promise<unknown> {',
      "  const electron = await import('electron');",
      "  return [electron, require('electron')];",
      '}',
      "export { app } from 'electron';",
      '',
    ].join('\n');
    const messages = await layering('main/core/engine/probe.ts', code);
    expect(messages).toHaveLength(3);
    for (const message of messages) expect(message).toContain('Electron-free');
  });

  it('refuses an import() it cannot read', async () => {
    const code = "export const load = (name: string): Promise<unknown> => import('./' + name);\n";
    const messages = await layering('renderer/lib/probe.ts', code);
    expect(messages).toEqual([expect.stringContaining('not a literal')]);
  });

  it('lints .svelte components under the same rule', async () => {
    const component = [
      '<script lang="ts">',
      "  import { readFileSync } from 'node:fs';",
      "  import { Engine } from '../../../main/core/engine/engine.ts';",
      '  const used = [readFileSync, Engine];',
      '</script>',
      '',
      '<p>{used.length}</p>',
      '',
    ].join('\n');
    const messages = await layering('renderer/lib/components/Probe.svelte', component);
    expect(messages).toHaveLength(2);
    expect(messages.join('\n')).toContain('Node built-ins');
    expect(messages.join('\n')).toContain('renderer may not import core');
  });

  it('allows what the layers are for', async () => {
    expect(await layering('main/app/probe.ts', importing('electron'))).toEqual([]);
    expect(await layering('main/app/probe.ts', importing('../core/paths.ts'))).toEqual([]);
    expect(await layering('preload/probe.ts', importing('electron'))).toEqual([]);
    expect(await layering('preload/probe.ts', importing('./shared/contract.ts'))).toEqual([]);
    expect(await layering('preload/shared/probe.ts', importing('./job-states.ts'))).toEqual([]);
    expect(await layering('preload/shared/probe.ts', importing('zod'))).toEqual([]);
    expect(await layering('main/core/engine/probe.ts', importing('node:fs'))).toEqual([]);
    expect(
      await layering('main/core/engine/probe.ts', importing('../../../preload/shared/contract.ts')),
    ).toEqual([]);
    expect(await layering('main/cli/probe.ts', importing('../simulator/demo.ts'))).toEqual([]);
    expect(
      await layering('renderer/lib/probe.ts', importing('../../preload/shared/contract.ts')),
    ).toEqual([]);
    expect(
      await layering('renderer/lib/probe.ts', importing('../../preload/shared/job-states.ts')),
    ).toEqual([]);
    expect(await layering('renderer/lib/probe.ts', importing('svelte'))).toEqual([]);
  });
});
