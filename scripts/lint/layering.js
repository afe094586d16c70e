// @ts-check
/**
 * The layering rule (docs/architecture.md "Who may import whom"): every source file belongs to one
 * layer, found from its path, and each layer names the layers and packages it may import. Static
 * imports, re-exports, `import()` and `require()` are all checked; an `import()` whose target is
 * not a literal cannot be checked and is refused in the layers that forbid anything.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const nodeBuiltins = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/** The shared home: what every process imports alike (docs/architecture.md "Who may import whom"). */
const sharedHome = 'preload/shared/';

/**
 * Layers, most specific first. `layers`: the layers this one may import. `packages`: 'any', or
 * the npm packages it may import; `node`: whether Node built-ins are allowed.
 * @typedef {{ name: string, match: (file: string) => boolean, layers: string[],
 *   packages: 'any' | string[], forbidden?: string[], node: boolean, why: string }} Layer
 * @type {Layer[]}
 */
export const layers = [
  {
    name: 'shared',
    match: (file) => file.startsWith(sharedHome),
    layers: ['shared'],
    packages: ['zod'],
    node: false,
    why: `the shared home (${sharedHome}: the contract, its schemas, the job states, the limits, the sizes and problem words both sides show, the shortcut rules and screenshot names) is imported by every process: it imports only itself and zod`,
  },
  {
    name: 'preload',
    match: (file) => file.startsWith('preload/'),
    layers: ['shared', 'preload'],
    packages: ['electron'],
    node: false,
    why: 'the preload exposes the contract through contextBridge: only the shared home and electron',
  },
  {
    name: 'simulator',
    match: (file) => file.startsWith('main/simulator/'),
    layers: ['simulator'],
    packages: 'any',
    forbidden: ['electron'],
    node: true,
    why: 'the simulator stands alone: it knows nothing of taskdrop and runs without Electron',
  },
  {
    name: 'core',
    match: (file) => file.startsWith('main/core/'),
    layers: ['shared', 'core', 'package.json'],
    packages: 'any',
    forbidden: ['electron'],
    node: true,
    why: 'main/core is the Electron-free engine: it imports only the shared home and itself; adapt Electron in main/app',
  },
  {
    name: 'cli',
    match: (file) => file.startsWith('main/cli/'),
    layers: ['shared', 'core', 'simulator', 'cli', 'package.json'],
    packages: 'any',
    forbidden: ['electron'],
    node: true,
    why: 'the CLI runs under plain Node over core',
  },
  {
    name: 'web',
    match: (file) => file.startsWith('main/web/'),
    layers: ['shared', 'core', 'simulator', 'web'],
    packages: 'any',
    forbidden: ['electron'],
    node: true,
    why: 'the browser mode runs under plain Node over core',
  },
  {
    name: 'app',
    match: (file) => file.startsWith('main/app/'),
    layers: ['shared', 'core', 'simulator', 'app'],
    packages: 'any',
    node: true,
    why: 'the Electron shell adapts Electron to core',
  },
  {
    name: 'renderer',
    match: (file) => file.startsWith('renderer/'),
    layers: ['shared', 'renderer'],
    packages: 'any',
    forbidden: ['electron'],
    node: false,
    why: 'the renderer runs in a sandboxed page: it reaches main only through the shared home, without Node or electron',
  },
];

/** @param {string} relative */
function layerOfPath(relative) {
  if (relative === 'package.json') return 'package.json';
  return layers.find((layer) => layer.match(relative))?.name;
}

/** @param {string} specifier */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Why `specifier`, imported from a file of `layer` at `fromFile` (absolute), is refused; undefined
 * when it is allowed.
 * @param {Layer} layer @param {string} root @param {string} fromFile @param {string} specifier
 */
export function refusal(layer, root, fromFile, specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = path.relative(root, path.resolve(path.dirname(fromFile), specifier));
    const targetLayer = layerOfPath(target.split(path.sep).join('/'));
    if (targetLayer === undefined || layer.layers.includes(targetLayer)) return undefined;
    return `${layer.name} may not import ${targetLayer} (${target}): ${layer.why}.`;
  }
  const bare = specifier.replace(/^node:/, '');
  if (specifier.startsWith('node:') || nodeBuiltins.has(packageName(bare))) {
    return layer.node ? undefined : `${layer.name} may not use Node built-ins: ${layer.why}.`;
  }
  const name = packageName(specifier);
  if (layer.forbidden?.includes(name)) return `${layer.name} may not import ${name}: ${layer.why}.`;
  if (layer.packages === 'any' || layer.packages.includes(name)) return undefined;
  return `${layer.name} may not import ${name}: ${layer.why}.`;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforces who may import whom (docs/architecture.md).' },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const layer = layers.find((candidate) => candidate.match(file));
    if (layer === undefined) return {};

    /** @param {import('estree').Node} node @param {unknown} source */
    function check(node, source) {
      if (source === undefined || source === null) return;
      const literal = /** @type {{ type?: string, value?: unknown }} */ (source);
      if (literal.type !== 'Literal' || typeof literal.value !== 'string') {
        context.report({
          node,
          message: `An import whose target is not a literal string cannot be checked by the layering rule (${layer?.name}).`,
        });
        return;
      }
      const message = refusal(/** @type {Layer} */ (layer), root, context.filename, literal.value);
      if (message !== undefined) context.report({ node, message });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          check(node, node.arguments[0]);
        }
      },
    };
  },
};

export const layeringPlugin = { rules: { layering: rule } };
