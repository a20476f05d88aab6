import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { isolatedTables } from './test-app';

export interface RepositoryUnderTest<R> {
  repository: R;
  config: AppConfig;
  /** Direct access to the tables, for asserting what was (not) stored and for planting items. */
  documents: DynamoDBDocumentClient;
}

/**
 * Registers the hooks of a repository spec: fresh tables in the run's DynamoDB Local before all tests,
 * the repository over them, the client closed after. The returned object is filled in `beforeAll`.
 */
export function repositoryOnDynamoDbLocal<R>(Repository: new (documents: DynamoDBDocumentClient, config: AppConfig) => R): RepositoryUnderTest<R> {
  const under = {} as RepositoryUnderTest<R>;
  let client: DynamoDBClient;
  beforeAll(async () => {
    under.config = await isolatedTables();
    client = createDynamoDbClient(under.config.dynamodb);
    under.documents = createDocumentClient(client);
    under.repository = new Repository(under.documents, under.config);
  });
  afterAll(() => client.destroy());
  return under;
}
