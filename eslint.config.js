// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Engine fixtures are artifacts for the engines to judge (some break rules on purpose), not our code.
  { ignores: ['dist/', 'docs/', 'node_modules/', 'coverage/', 'tests/fixtures/engines/', 'tests/fixtures/enforcement/', 'examples/engines/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.cts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      // `async` without `await` is how an API turns a synchronous throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: 'ThrowStatement > Literal', message: 'Throw a TierguardError, never a string.' },
      ],
    },
  },
  // The CommonJS stubs `require` resolves to where Node cannot require an ES module: CommonJS is their point.
  { files: ['src/cjs/*.cts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', performance: 'readonly' },
    },
  },
);
