import { registerHooks } from 'node:module';

/**
 * `node --import` this before the built app: its `import … from 'electron'` then loads the
 * recording stand-in beside this file (electron.ts) instead of Electron's npm package.
 */
const standIn = new URL('./electron.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: standIn, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
