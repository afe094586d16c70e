import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `npm start`: opens the built app in Electron. Where Electron's binary was not downloaded
 * (ELECTRON_SKIP_BINARY_DOWNLOAD, locked-down networks) it says so and opens taskdrop in the
 * browser instead, against the same engine.
 */
/** The downloaded binary, found without require('electron') (which would try to download it). */
function electronBinary(): string | null {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const relative = readFileSync(join(packageDir, 'path.txt'), 'utf8').trim();
    const binary = join(packageDir, 'dist', relative);
    return relative !== '' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const [command, args] =
  binary === null
    ? [process.execPath, ['main/web/main.ts', ...process.argv.slice(2)]]
    : [binary, ['dist/app/main.js', ...process.argv.slice(2)]];
if (binary === null) {
  process.stdout.write(
    "Electron's binary is not installed on this machine, so taskdrop opens in your browser instead.\n" +
      '(On a machine that can download it, `npm install` gets it and `npm start` opens the tray app.)\n\n',
  );
}
const child = spawn(command, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 130)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
