import { createPackage } from '@electron/asar';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fuseProblems, layoutProblems, packageLinuxFolder } from '../../scripts/package-layout.ts';

const workDirs: string[] = [];
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taskdrop-package-test-'));
  workDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of workDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const binary = `node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`;

describe('the packaged app (electron-builder, around a stand-in Electron)', () => {
  it('holds the built app, its production dependencies and better-sqlite3 unpacked, nothing else', async () => {
    const resourcesDir = await packageLinuxFolder(workDir());
    expect(layoutProblems(resourcesDir)).toEqual([]);
    // electron-builder flipped the stand-in's fuses as electron-builder.yml asks.
    expect(await fuseProblems(join(resourcesDir, '..', 'taskdrop'))).toEqual([]);
  }, 120_000);

  it('names each thing wrong with a package that is not right', async () => {
    const source = join(workDir(), 'app');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ main: 'dist/app/main.js', version: '0.0.0' }),
      'dist/app/main.js':
        'import { join } from "node:path";\nimport pad from "left-pad";\n' +
        'async function handleInspection(control, exchange) {}\n',
      'dist/app/main.js.map': '{}',
      'test/upload.test.ts': '',
      'node_modules/vite/package.json': '{}',
      [binary]: 'not a binary',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(source, path)), { recursive: true });
      writeFileSync(join(source, path), text);
    }
    const resourcesDir = join(dirname(source), 'resources');
    mkdirSync(resourcesDir);
    await createPackage(source, join(resourcesDir, 'app.asar'));

    expect(layoutProblems(resourcesDir)).toEqual(
      expect.arrayContaining([
        'missing: dist/preload/preload.cjs (was `npm run build` run?)',
        'missing: dist/renderer/index.html (was `npm run build` run?)',
        'package.json lacks "type": "module"',
        expect.stringMatching(/^package\.json's version is 0\.0\.0, not \d/),
        "dist/app/main.js holds the simulator's test-only routes (handleInspection)",
        "dist/app/main.js lacks demo mode's simulator (startDemoGraph)",
        'dist/app/main.js imports left-pad, which is not packaged',
        `${binary} is packed inside app.asar, where it cannot be loaded`,
        'missing production dependency: better-sqlite3',
        'a devDependency is packaged: vite',
        'not built output: test/upload.test.ts',
        'a source map (it carries the sources): dist/app/main.js.map',
      ]),
    );
  });
});
