import { spawnSync } from 'node:child_process';
import { browserVariable, findBrowser } from './find-browser.ts';

/**
 * Before `npm test`: the browser tests need a Chromium-based browser (scripts/find-browser.ts).
 * On Debian and Ubuntu without one, Debian's chromium is installed with apt-get.
 */
function aptInstallChromium(): boolean {
  if (process.platform !== 'linux') return false;
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  const root = process.getuid?.() === 0;
  const run = (args: string[]): boolean =>
    spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['apt-get', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  process.stderr.write("taskdrop: installing Debian's chromium for the browser tests...\n");
  return run(['update', '-qq']) && run(['install', '-y', '-qq', 'chromium']);
}

if (findBrowser() === null && !(aptInstallChromium() && findBrowser() !== null)) {
  process.stderr.write(
    'taskdrop: the browser tests need Chromium, Chrome or Edge. Install one, or set ' +
      `${browserVariable} to its path.\n`,
  );
  process.exit(1);
}
