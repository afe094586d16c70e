import { extractFile, listPackage, statFile } from '@electron/asar';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { build } from 'electron-builder';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * What `npm run check:package` and test/packaging check: the app electron-builder packages holds
 * the built app and its production dependencies, better-sqlite3's binary unpacked beside
 * app.asar, and nothing else: no sources, tests, dev tools, or the simulator's test-only routes.
 */
const projectDir = fileURLToPath(new URL('..', import.meta.url));

const manifest = z.object({
  main: z.string().optional(),
  type: z.string().optional(),
  version: z.string(),
  desktopName: z.string().optional(),
  dependencies: z.record(z.string(), z.string()).default({}),
  devDependencies: z.record(z.string(), z.string()).default({}),
});
type Manifest = z.infer<typeof manifest>;

function projectManifest(): Manifest {
  return manifest.parse(JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')));
}

/** What main/app/main.ts loads, relative to the app's root. */
const appEntryFiles = ['dist/app/main.js', 'dist/preload/preload.cjs', 'dist/renderer/index.html'];

/** Names only the simulator's /_sim routes carry (main/simulator/control-routes.ts and below). */
const testOnlyRouteMarkers = [
  'handleInspection',
  'handleIdentityControl',
  'no inspection route',
  'no identity control route',
  "'POST faults'",
  "'POST clock'",
  "'PUT limits'",
  "'POST device/approve'",
];
/** Demo mode's simulator is in the bundle: without it, the markers' absence would prove nothing. */
const demoMarker = 'startDemoGraph';

/** The fuses electron-builder.yml flips (`electronFuses`), as the packaged binary must hold them. */
export const expectedFuses: Readonly<Record<keyof typeof FuseV1Options, boolean | 'any'>> = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: 'any',
  GrantFileProtocolExtraPrivileges: false,
};

/** The wire's bytes: '0' off, '1' on, 'r' removed from this Electron. */
const fuseByte = { off: 0x30, on: 0x31, removed: 0x72 } as const;
const fuseSentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/**
 * A fuse wire as Electron 45 ships it (every fuse at Electron's default), for the stand-in: with
 * it, electron-builder flips the stand-in's fuses as it flips the real binary's.
 */
export function defaultFuseWire(): Buffer {
  const defaults = [
    fuseByte.on, // RunAsNode
    fuseByte.off, // EnableCookieEncryption
    fuseByte.on, // EnableNodeOptionsEnvironmentVariable
    fuseByte.on, // EnableNodeCliInspectArguments
    fuseByte.off, // EnableEmbeddedAsarIntegrityValidation
    fuseByte.off, // OnlyLoadAppFromAsar
    fuseByte.off, // LoadBrowserProcessSpecificV8Snapshot
    fuseByte.on, // GrantFileProtocolExtraPrivileges
  ];
  return Buffer.concat([
    Buffer.from(fuseSentinel),
    Buffer.from([Number(FuseVersion.V1), defaults.length]),
    Buffer.from(defaults),
  ]);
}

/** Each fuse of `binary` (an executable, or a macOS .app) that is not as electronFuses asks. */
export async function fuseProblems(binary: string): Promise<string[]> {
  const wire = await getCurrentFuseWire(binary);
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(expectedFuses)) {
    const state = wire[FuseV1Options[name as keyof typeof FuseV1Options]];
    if (expected === 'any' || state === fuseByte.removed) continue;
    const actual = state === fuseByte.on ? true : state === fuseByte.off ? false : 'missing';
    if (actual !== expected) {
      problems.push(`fuse ${name} is ${String(actual)}, not ${String(expected)}, in ${binary}`);
    }
  }
  return problems;
}

/** The app binaries `npm run dist` (or dist:dir) left in `outputDir`, for each OS built. */
export function packagedBinaries(outputDir: string): string[] {
  if (!existsSync(outputDir)) return [];
  const candidates = readdirSync(outputDir).flatMap((folder) => {
    if (/^linux.*-unpacked$/.test(folder)) return [join(outputDir, folder, 'taskdrop')];
    if (/^win.*-unpacked$/.test(folder)) return [join(outputDir, folder, 'taskdrop.exe')];
    if (/^mac/.test(folder)) return [join(outputDir, folder, 'taskdrop.app')];
    return [];
  });
  return candidates.filter((path) => existsSync(path));
}

/**
 * Electron's Linux folder as electron-builder copies it, with a stand-in executable that holds
 * only a fuse wire: this machine cannot download Electron, and packaging only copies the binary
 * (and flips its fuses), it never runs it.
 */
function standInElectron(dir: string): void {
  const electron = z
    .object({ version: z.string() })
    .parse(
      JSON.parse(readFileSync(join(projectDir, 'node_modules/electron/package.json'), 'utf8')),
    );
  mkdirSync(join(dir, 'resources'), { recursive: true });
  mkdirSync(join(dir, 'locales'), { recursive: true });
  writeFileSync(join(dir, 'electron'), defaultFuseWire(), { mode: 0o755 });
  writeFileSync(join(dir, 'version'), electron.version);
  writeFileSync(
    join(dir, 'LICENSE'),
    'A stand-in for Electron, for checking the package layout.\n',
  );
}

/**
 * Packages the built app (`npm run build`) as `npm run dist` does, but as a Linux folder (the
 * `dir` target) around a stand-in Electron; answers its resources folder, where app.asar is, and
 * the `taskdrop` executable (the stand-in, its fuses flipped) is beside it.
 */
export async function packageLinuxFolder(workDir: string): Promise<string> {
  const electronDist = join(workDir, 'electron');
  const output = join(workDir, 'out');
  standInElectron(electronDist);
  await build({
    projectDir,
    linux: ['dir'],
    publish: 'never',
    config: { electronDist, directories: { output } },
  });
  const unpacked = readdirSync(output).find((name) => /^linux.*-unpacked$/.test(name));
  if (unpacked === undefined)
    throw new Error(`electron-builder made no linux-unpacked in ${output}`);
  return join(output, unpacked, 'resources');
}

/** Everything wrong with the packaged app in `resourcesDir`, in plain words; empty when right. */
export function layoutProblems(resourcesDir: string): string[] {
  const archive = join(resourcesDir, 'app.asar');
  if (!existsSync(archive)) return [`no app.asar in ${resourcesDir}`];
  const files = listPackage(archive, { isPack: false }).map((path) =>
    path.replaceAll('\\', '/').replace(/^\//, ''),
  );
  const has = new Set(files);
  const read = (path: string): string => extractFile(archive, path).toString('utf8');
  const problems: string[] = [];

  for (const path of ['package.json', ...appEntryFiles]) {
    if (!has.has(path)) problems.push(`missing: ${path} (was \`npm run build\` run?)`);
  }
  if (has.has('package.json'))
    problems.push(...manifestProblems(manifest.parse(JSON.parse(read('package.json'))), has));
  if (has.has('dist/renderer/index.html')) {
    for (const [, asset] of read('dist/renderer/index.html').matchAll(
      /(?:src|href)="\.\/([^"]+)"/g,
    )) {
      if (asset !== undefined && !has.has(`dist/renderer/${asset}`)) {
        problems.push(`missing: dist/renderer/${asset}, which index.html loads`);
      }
    }
  }
  if (has.has('dist/app/main.js')) problems.push(...bundleProblems(read('dist/app/main.js'), has));
  problems.push(...nativeBinaryProblems(archive, resourcesDir, has));

  const { dependencies, devDependencies } = projectManifest();
  for (const name of Object.keys(dependencies)) {
    if (!has.has(`node_modules/${name}/package.json`)) {
      problems.push(`missing production dependency: ${name}`);
    }
  }
  for (const name of Object.keys(devDependencies)) {
    if (files.some((path) => path.startsWith(`node_modules/${name}/`))) {
      problems.push(`a devDependency is packaged: ${name}`);
    }
  }
  for (const path of files) {
    const top = path.split('/')[0];
    if (top !== 'dist' && top !== 'node_modules' && path !== 'package.json') {
      problems.push(`not built output: ${path}`);
    } else if (/\.ts$/.test(path) && !path.endsWith('.d.ts')) {
      problems.push(`a TypeScript source: ${path}`);
    } else if (top === 'dist' && path.endsWith('.map')) {
      problems.push(`a source map (it carries the sources): ${path}`);
    }
  }
  return problems;
}

function manifestProblems(packaged: Manifest, has: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (packaged.main === undefined || !has.has(packaged.main)) {
    problems.push(`package.json's main (${packaged.main ?? 'none'}) is not in the package`);
  }
  // dist/app/main.js is an ES module: Electron loads it as one only under "type": "module".
  if (packaged.type !== 'module') problems.push('package.json lacks "type": "module"');
  const { version } = projectManifest();
  if (packaged.version !== version) {
    problems.push(`package.json's version is ${packaged.version}, not ${version}`);
  }
  if (packaged.desktopName !== 'taskdrop.desktop') {
    problems.push(
      'package.json lacks desktopName taskdrop.desktop (electron-builder.yml extraMetadata)',
    );
  }
  return problems;
}

function bundleProblems(mainJs: string, has: ReadonlySet<string>): string[] {
  const problems = testOnlyRouteMarkers
    .filter((marker) => mainJs.includes(marker))
    .map((marker) => `dist/app/main.js holds the simulator's test-only routes (${marker})`);
  if (!mainJs.includes(demoMarker)) {
    problems.push(`dist/app/main.js lacks demo mode's simulator (${demoMarker})`);
  }
  for (const name of importedPackages(mainJs)) {
    if (!has.has(`node_modules/${name}/package.json`)) {
      problems.push(`dist/app/main.js imports ${name}, which is not packaged`);
    }
  }
  return problems;
}

/** The packages the bundle leaves outside (vite's externals): each must be in node_modules. */
function importedPackages(mainJs: string): Set<string> {
  const names = new Set<string>();
  for (const [, specifier = ''] of mainJs.matchAll(/^import\b[^'"]*["']([^"']+)["'];?$/gm)) {
    if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier === 'electron') {
      continue;
    }
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    if (!builtinModules.includes(name)) names.add(name);
  }
  return names;
}

/**
 * The binary of this machine's platform is listed in app.asar as unpacked, lies in
 * app.asar.unpacked, and loads as a Node-API module: the ABI Electron keeps too.
 */
function nativeBinaryProblems(
  archive: string,
  resourcesDir: string,
  has: ReadonlySet<string>,
): string[] {
  const binary = `node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`;
  if (!has.has(binary)) return [`missing: ${binary}`];
  const entry = statFile(archive, binary);
  if (!('unpacked' in entry) || entry.unpacked !== true) {
    return [`${binary} is packed inside app.asar, where it cannot be loaded`];
  }
  const onDisk = join(`${resourcesDir}`, 'app.asar.unpacked', binary);
  if (!existsSync(onDisk)) return [`missing: app.asar.unpacked/${binary}`];
  const addon: { exports: Record<string, unknown> } = { exports: {} };
  try {
    process.dlopen(addon, onDisk);
  } catch (error) {
    return [`${binary} does not load: ${error instanceof Error ? error.message : String(error)}`];
  }
  return typeof addon.exports['Database'] === 'function'
    ? []
    : [`${binary} loads but is not better-sqlite3's addon`];
}
