// ESLint flat config: recommended JS + typescript-eslint rules, strict about `any` and floating promises.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.scratch/**', 'node_modules/**', 'data/**', 'coverage/**', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Request paths: an object literal with a getter or setter gets its own hidden class per evaluation, which pins the
    // request's objects through young collections (see connector/http/fast-lane.ts). Use a class instead.
    files: ['connector/**/*.ts', 'pcf-exchange-module/**/*.ts', 'policies/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ObjectExpression > Property[kind='get'], ObjectExpression > Property[kind='set']",
        message: 'No getters/setters in object literals on request paths: each evaluation makes a new hidden class that survives young GCs. Use a class.',
      }],
    },
  },
);
