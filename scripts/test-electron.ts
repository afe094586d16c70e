import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * `npm run test:electron`: the Electron suite (test/electron) against the built app in the
 * Electron binary `npm install` downloaded. `-- --packaged` runs it against what `npm run dist`
 * built into out/dist, `-- --packaged PATH` against that app (an executable, or a macOS .app).
 * The run's global setup builds the app first, as `npm run build` does.
 */
const args = process.argv.slice(2);
const at = args.indexOf('--packaged');
const env = { ...process.env };
if (at !== -1) {
  const path = args[at + 1];
  env['TASKDROP_E2E_PACKAGED'] =
    path === undefined || path.startsWith('-') ? 'out/dist' : resolve(path);
}
const vitest = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);
const child = spawn(process.execPath, [vitest, 'run', 'test/electron'], {
  env,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 130)));
