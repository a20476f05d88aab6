import { startDynamoDbLocal } from '../../src/local/dynamodb-local';

/**
 * One DynamoDB Local (AWS's own emulator) for the whole run, in memory on a free port. Every test
 * file creates its own uniquely named tables in it (see test-app.ts), so files never share data.
 */
export default async function globalSetup(): Promise<void> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  (globalThis as { __DYNAMODB_LOCAL__?: typeof dynamo }).__DYNAMODB_LOCAL__ = dynamo;
}
