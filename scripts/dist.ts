import { build } from 'electron-builder';
import { fileURLToPath } from 'node:url';
import { buildApp } from './build-app.ts';
import { fuseProblems, packagedBinaries } from './package-layout.ts';
import { gitFacts, packagerIdentity } from './packager-identity.ts';

/**
 * `npm run dist` (`-- --dir` for the app folder only): builds the app, then the installers of
 * the OS it runs on into out/dist, naming the packager as their maintainer
 * (scripts/packager-identity.ts), and checks the fuses of every binary it made.
 */
const projectDir = fileURLToPath(new URL('..', import.meta.url));
const outputDir = fileURLToPath(new URL('../out/dist', import.meta.url));

let identity;
try {
  identity = packagerIdentity(process.env, gitFacts(projectDir));
} catch (error) {
  process.stderr.write(`taskdrop: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(
  `taskdrop: packaging as ${identity.name} <${identity.email}>, homepage ${identity.homepage}\n`,
);
await buildApp();
await build({
  projectDir,
  publish: 'never',
  ...(process.argv.includes('--dir') ? { dir: true } : {}),
  config: {
    extraMetadata: {
      author: { name: identity.name, email: identity.email },
      homepage: identity.homepage,
    },
    linux: { maintainer: `${identity.name} <${identity.email}>` },
  },
});
const problems = (await Promise.all(packagedBinaries(outputDir).map(fuseProblems))).flat();
if (problems.length > 0) {
  process.stderr.write(
    `The packaged app is not hardened:\n${problems.map((p) => `  - ${p}\n`).join('')}`,
  );
  process.exitCode = 1;
}
