// One linter for every target: typescript-eslint's recommended rules, React hooks rules in the renderer.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NO_ELECTRON = {
  name: 'electron',
  message: 'The core must not import electron; use the platform (src-main/core/platform.ts).',
};
const NETWORK_MESSAGE =
  'Every request goes through the transport (src-main/core/network/transport.ts, CorePlatform.transport)';
// Modules that would open a request beside the transport; servers (createServer) and types stay allowed.
const NETWORK_IMPORTS = [
  ...['http', 'https', 'node:http', 'node:https'].map((name) => ({
    name,
    importNames: ['default', 'request', 'get', 'Agent', 'globalAgent', 'ClientRequest'],
    allowTypeImports: true,
    message: NETWORK_MESSAGE,
  })),
  ...['undici', 'node-fetch', 'got', 'electron-fetch'].map((name) => ({
    name,
    allowTypeImports: true,
    message: NETWORK_MESSAGE,
  })),
];

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
      'no-restricted-imports': ['error', { paths: [NO_ELECTRON] }],
    },
  },
  {
    // One transport for every request of the main process (issue 18, core/network/transport.ts): it
    // picks the route (loopback direct, https through a proxy only as a CONNECT tunnel) and never
    // lets a token cross a proxy in clear. Nothing else in src-main may open an HTTP request.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/core/network/**', 'src-main/electron/net-transport.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: NETWORK_MESSAGE },
        { name: 'XMLHttpRequest', message: NETWORK_MESSAGE },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'globalThis', property: 'fetch', message: NETWORK_MESSAGE },
        { object: 'net', property: 'fetch', message: NETWORK_MESSAGE },
        { object: 'net', property: 'request', message: NETWORK_MESSAGE },
      ],
      'no-restricted-imports': ['error', { paths: NETWORK_IMPORTS }],
      // axios only with the transport as its fetch (messages.ts): `adapter: 'fetch'` and `env.fetch`.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='axios'][callee.property.name!='create'][callee.property.name!='isAxiosError']",
          message: `${NETWORK_MESSAGE} (axios.create({ adapter: 'fetch', env: { fetch } }))`,
        },
        {
          selector:
            "CallExpression[callee.object.name='axios'][callee.property.name='create']:not(:has(Property[key.name='env'] > ObjectExpression > Property[key.name='fetch']))",
          message: `${NETWORK_MESSAGE}: give axios the transport's fetch (env: { fetch })`,
        },
        {
          selector: "CallExpression[callee.name='axios']",
          message: NETWORK_MESSAGE,
        },
      ],
    },
  },
  {
    // The same import rule for the core and the preview, with electron still refused there.
    files: ['src-main/core/**/*.ts', 'src-main/preview/**/*.ts'],
    ignores: ['src-main/core/network/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_ELECTRON, ...NETWORK_IMPORTS] }] },
  },
);
