import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuseProblems, layoutProblems, packageLinuxFolder } from './package-layout.ts';

/**
 * `npm run check:package`: builds, packages the app as a Linux folder around a stand-in for
 * Electron (which this machine cannot download), and checks what went into it and the fuses
 * electron-builder flipped. Exit code 1,
 * with the list, when something is missing or does not belong.
 */
const workDir = mkdtempSync(join(tmpdir(), 'taskdrop-package-'));
try {
  const resourcesDir = await packageLinuxFolder(workDir);
  const problems = [
    ...layoutProblems(resourcesDir),
    ...(await fuseProblems(join(resourcesDir, '..', 'taskdrop'))),
  ];
  if (problems.length > 0) {
    process.stderr.write(
      `The package is not right:\n${problems.map((p) => `  - ${p}\n`).join('')}`,
    );
    process.exitCode = 1;
  } else {
    process.stdout.write('The package holds the built app, and nothing else.\n');
  }
} finally {
  // A package that is not right stays, to be looked at.
  if (process.exitCode === 1) process.stderr.write(`It is in ${workDir}\n`);
  else rmSync(workDir, { recursive: true, force: true });
}
