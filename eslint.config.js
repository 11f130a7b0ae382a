// @ts-check
// `npm run lint`. Formatting is prettier's job (.prettierrc.json); these rules look for bugs.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // the product reads terminal output: ANSI escapes and C0/C1 controls in a regex are the point (report/text-width.ts)
      'no-control-regex': 'off',
      // `l` is V8's linear-time engine, used for user-supplied metric patterns (metrics/parse.ts)
      'no-invalid-regexp': ['error', { allowConstructorFlags: ['l'] }],
      // a leading underscore marks a binding kept on purpose (a destructured field dropped, a callback's unused argument)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // promise mistakes are the bugs that matter most here (a lost write, an assertion never awaited); they need type information
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // the page scripts run in the browser and are type-checked by their own tsconfig (DOM, no Node)
    files: ['src/web/client/**/*.ts'],
    languageOptions: { globals: globals.browser, parserOptions: { project: './src/web/client/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
  },
  {
    // the executable is CommonJS (bin/package.json; why: its own header), so it loads with require
    files: ['bin/exec-track'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // the web bench hands functions to page.evaluate: they run in the page
    files: ['bench/cases/web.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // test helpers hand parsed JSON bodies and frames to assertions as they came off the wire
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
