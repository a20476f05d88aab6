import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoDbRateLimitsRepository } from '../../src/rate-limits/dynamodb-rate-limits.repository';
import { repositoryOnDynamoDbLocal } from '../support/repository-under-test';

describe('DynamoDbRateLimitsRepository (DynamoDB Local)', () => {
  const under = repositoryOnDynamoDbLocal(DynamoDbRateLimitsRepository);
  let repository: DynamoDbRateLimitsRepository;
  const expiresAt = new Date(Date.now() + 60_000);
  beforeAll(() => {
    repository = under.repository;
  });

  const stored = async (key: string) =>
    (
      await under.documents.send(
        new GetCommand({ TableName: under.config.dynamodb.tables.rateLimits, Key: { limit_key: key }, ConsistentRead: true }),
      )
    ).Item;

  it('grants exactly `limit` of many concurrent reservations and refuses the rest', async () => {
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 40 }, () => repository.reserve(key, 7, expiresAt)));
    expect(results.filter((result) => result !== undefined).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(results.filter((result) => result === undefined)).toHaveLength(33);
    expect(await stored(key)).toEqual({ limit_key: key, hits: 7, expires_at: Math.ceil(expiresAt.getTime() / 1000) });
  });

  it('gives a unit back, never below zero and never creating a counter', async () => {
    const key = randomUUID();
    await repository.reserve(key, 2, expiresAt);
    await repository.reserve(key, 2, expiresAt);
    expect(await repository.reserve(key, 2, expiresAt)).toBeUndefined();
    await repository.release(key);
    expect(await repository.reserve(key, 2, expiresAt)).toBe(2);
    await repository.release(key);
    await repository.release(key);
    await repository.release(key);
    expect((await stored(key))?.hits).toBe(0);
    const absent = randomUUID();
    await repository.release(absent);
    expect(await stored(absent)).toBeUndefined();
  });

  it('keeps the first expiry of a counter', async () => {
    const key = randomUUID();
    await repository.reserve(key, 5, expiresAt);
    await repository.reserve(key, 5, new Date(expiresAt.getTime() + 3_600_000));
    expect((await stored(key))?.expires_at).toBe(Math.ceil(expiresAt.getTime() / 1000));
  });
});
