import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('the process boundary shows in the paths (BRIEF §3)', () => {
  it('keeps electron out of core, the simulator and the CLI', async () => {
    for (const folder of ['main/core/engine', 'main/simulator', 'main/cli']) {
      const messages = await restrictedImports(
        `${folder}/probe.ts`,
        "import { app } from 'electron';\nexport const a = app;\n",
      );
      expect(messages, folder).toEqual([expect.stringContaining('Electron-free')]);
    }
  });

  it('keeps Node built-ins and electron out of the renderer', async () => {
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import path from 'path';",
      "import { ipcRenderer } from 'electron';",
      'export const all = [readFileSync, path, ipcRenderer];',
      '',
    ].join('\n');
    const messages = await restrictedImports('renderer/lib/probe.ts', code);
    expect(messages).toHaveLength(3);
    expect(messages.join('\n')).toContain('no Node built-ins');
    expect(messages.join('\n')).toContain('only through the preload contract');
  });

  it('lets the Electron shell and the preload use electron', async () => {
    const code = "import { app } from 'electron';\nexport const a = app;\n";
    expect(await restrictedImports('main/app/probe.ts', code)).toEqual([]);
    expect(await restrictedImports('preload/probe.ts', code)).toEqual([]);
  });
});
