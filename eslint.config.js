// One linter for every target: typescript-eslint's recommended rules, React hooks rules in the renderer.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      '.tools/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // Prettier wraps code at 100 columns; this keeps comments (which it never wraps) readable too.
      // Strings, template literals, regular expressions and URLs may run longer: breaking them
      // would not make them easier to read.
      'max-len': [
        'error',
        {
          code: 110,
          comments: 110,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          // Directives read as one line by their tools: electronegativity-ignore, eslint-disable,
          // JSDoc types in the .js files.
          ignorePattern: String.raw`^\s*(// (electronegativity-ignore|eslint-disable)|/\*\* @param \{)`,
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}', 'src-preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The core runs in Node without Electron: keep it that way.
    files: ['src-main/core/**/*.ts', 'src-main/preview/**/*.ts', 'devstack/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'The core must not import electron; use the platform (src-main/core/platform.ts).',
            },
          ],
        },
      ],
    },
  },
);
