// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'dist-tools/', 'dist-bench/', 'dist-bench-migration/', 'dist-infra/', 'cdk.out/', 'coverage/', '.data/', '.ci/.node/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    // Two named programs, not projectService: it built a third for infra/ (whose files the root
    // tsconfig already includes), which took a quarter of the lint's time. A file in neither is an error.
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './test/generated-client/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The few JavaScript files (Jest's configuration and reporter, this file) are outside the TypeScript projects.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' } },
  {
    // Tests read HTTP bodies (supertest's `body` is `any`) and use Jest's asymmetric matchers (`expect.any`
    // returns `any`) and mocks (`expect(fake.method)`), so the type-checked rules about `any` and unbound
    // methods would flag every assertion; async fakes implement async interfaces without awaiting.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Formatting is Prettier's: no rule here may disagree with it.
  prettier,
);
