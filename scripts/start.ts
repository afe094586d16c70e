import { spawn } from 'node:child_process';
import { electronBinary } from './electron-binary.ts';

/**
 * `npm start`: opens the built app in Electron. Where Electron's binary was not downloaded
 * (ELECTRON_SKIP_BINARY_DOWNLOAD, locked-down networks) it says so and opens taskdrop in the
 * browser instead, against the same engine.
 */
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
