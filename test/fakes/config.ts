import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';

/** A valid configuration for unit tests; nothing in it reaches the network. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return new AppConfig(validateEnvironment({ NODE_ENV: 'test', JWT_SECRET: 'unit-test-secret-unit-test-secret-0123', ...overrides }));
}
