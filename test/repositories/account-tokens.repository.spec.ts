import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { hashAccountToken, newAccountToken } from '../../src/recovery/account-tokens/account-token';
import { DynamoDbAccountTokensRepository } from '../../src/recovery/account-tokens/dynamodb-account-tokens.repository';
import { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { isolatedTables } from '../support/test-app';

describe('DynamoDbAccountTokensRepository (DynamoDB Local)', () => {
  let config: AppConfig;
  let client: DynamoDBClient;
  let repository: DynamoDbAccountTokensRepository;

  beforeAll(async () => {
    config = await isolatedTables();
    client = createDynamoDbClient(config.dynamodb);
    repository = new DynamoDbAccountTokensRepository(createDocumentClient(client), config);
  });
  afterAll(() => client.destroy());

  const aToken = (now = Date.now()) =>
    newAccountToken({ purpose: 'password-reset', userId: randomUUID(), email: `${randomUUID()}@example.com`, keyringVersion: 3 }, now);

  it('stores only the hash, finds the token by it, and lets exactly one of ten concurrent uses have it', async () => {
    const { token, stored } = aToken();
    await repository.save(stored);
    const { Item } = await createDocumentClient(client).send(
      new GetCommand({ TableName: config.dynamodb.tables.accountTokens, Key: { token_hash: stored.hash } }),
    );
    expect(JSON.stringify(Item)).not.toContain(token);
    expect(Item?.expires_at).toBe(Math.ceil(stored.expiresAt.getTime() / 1000));
    expect(await repository.find(hashAccountToken(token), 'password-reset')).toEqual({
      ...stored,
      expiresAt: new Date(Math.ceil(stored.expiresAt.getTime() / 1000) * 1000),
    });
    expect(await repository.find(stored.hash, 'verify-email')).toBeUndefined();
    expect(await repository.consume(stored.hash, 'verify-email')).toBeUndefined();

    const uses = await Promise.all(Array.from({ length: 10 }, () => repository.consume(stored.hash, 'password-reset')));
    expect(uses.filter((use) => use !== undefined)).toHaveLength(1);
    expect(await repository.find(stored.hash, 'password-reset')).toBeUndefined();
  });

  it('refuses an expired token that DynamoDB’s TTL has not deleted yet', async () => {
    const { stored } = aToken(Date.now() - 31 * 60_000);
    await repository.save(stored);
    expect(await repository.find(stored.hash, 'password-reset')).toBeUndefined();
    expect(await repository.consume(stored.hash, 'password-reset')).toBeUndefined();
  });
});
