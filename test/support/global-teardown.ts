import type { TestInfrastructure } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const infrastructure = (globalThis as { __TEST_INFRASTRUCTURE__?: TestInfrastructure }).__TEST_INFRASTRUCTURE__;
  await Promise.all([infrastructure?.dynamo.stop(), infrastructure?.s3.stop(), infrastructure?.mail.stop()]);
}
