// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));

/** The process boundary shows in the path (BRIEF §3): this rule is what keeps it true. */
const noElectron = {
  name: 'electron',
  message: 'main/core and main/simulator are Electron-free: adapt Electron in main/app instead.',
};

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'dist/', 'out/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // In tests a missing value fails the test either way; `!` keeps them readable.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['main/core/**', 'main/simulator/**', 'main/cli/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer talks to main only through the preload contract.',
            },
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'The renderer runs in a sandboxed page: no Node built-ins.',
            })),
          ],
          patterns: [
            {
              group: ['node:*'],
              message: 'The renderer runs in a sandboxed page: no Node built-ins.',
            },
          ],
        },
      ],
    },
  },
);
