/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2021',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  testEnvironment: 'node',
  rootDir: '.',
  // content-disposition 3 (via @fastify/static, which serves the /docs assets) ships only ES modules:
  // Node loads it natively (require of ES modules), but Jest 30's own CommonJS module registry does not.
  transform: { '^.+\\.ts$': swc, '/node_modules/content-disposition/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/support/test-env.ts'],
  testTimeout: 60_000,
};

module.exports = {
  // Two projects so that a run of unit tests alone (`npm run test:unit`) starts no emulator: Jest runs
  // a project's globalSetup only when one of its tests is selected.
  projects: [
    // Unit tests live beside the code.
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'] },
    // Repository, HTTP, migration, fault and infra tests under test/ share one DynamoDB Local and s3rver.
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
