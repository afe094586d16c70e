// @ts-check
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layeringPlugin } from './scripts/lint/layering.js';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'dist/', 'out/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...svelte.configs.recommended,
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
    // Svelte components and rune modules: TypeScript inside, parsed by svelte-eslint-parser.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // State classes keep plain Maps and Sets on purpose: ten thousand rows are tracked by one
      // revision counter or replaced whole in a $state.raw, not made deeply reactive.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // In tests a missing value fails the test either way; `!` keeps them readable.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Who may import whom: docs/architecture.md, enforced by scripts/lint/layering.js.
    files: ['main/**', 'preload/**', 'renderer/**'],
    plugins: { taskdrop: layeringPlugin },
    rules: { 'taskdrop/layering': 'error' },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
