import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import { initialKeyring, User } from '../../src/users/user';
import { EmailAlreadyRegisteredError } from '../../src/users/users.repository';
import { isolatedTables, scanAll } from '../support/test-app';

function aUser(overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    email: `${randomUUID()}@example.com`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    keySalt: 'ab'.repeat(32),
    createdAt: new Date('2026-11-25T10:00:00.123Z'),
    ...initialKeyring(),
    ...overrides,
  };
}

describe('DynamoDbUsersRepository (DynamoDB Local)', () => {
  let config: AppConfig;
  let client: DynamoDBClient;
  let repository: DynamoDbUsersRepository;

  beforeAll(async () => {
    config = await isolatedTables();
    client = createDynamoDbClient(config.dynamodb);
    repository = new DynamoDbUsersRepository(createDocumentClient(client), config);
  });
  afterAll(() => client.destroy());

  it('stores a user and reads it back by id and by email, times to the millisecond', async () => {
    const user = aUser();
    await repository.create(user);
    expect(await repository.findById(user.id)).toEqual(user);
    expect(await repository.findByEmail(user.email)).toEqual(user);
  });

  it('finds nothing for unknown ids and emails, and never returns a claim item as a user', async () => {
    const user = aUser();
    await repository.create(user);
    expect(await repository.findById(randomUUID())).toBeUndefined();
    expect(await repository.findByEmail('nobody@example.com')).toBeUndefined();
    expect(await repository.findById(`EMAIL#${user.email}`)).toBeUndefined();
  });

  it('refuses a second account with the same email and keeps the first intact', async () => {
    const first = aUser();
    await repository.create(first);
    await expect(repository.create(aUser({ email: first.email }))).rejects.toBeInstanceOf(EmailAlreadyRegisteredError);
    expect(await repository.findByEmail(first.email)).toEqual(first);
  });

  it('of 20 concurrent creates with one email, exactly one succeeds and one account is stored', async () => {
    const email = `race-${randomUUID()}@example.com`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => repository.create(aUser({ email }))));
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.every((result) => result.reason instanceof EmailAlreadyRegisteredError)).toBe(true);
    const stored = (await scanAll(createDocumentClient(client), config.dynamodb.tables.users)).filter(
      (item) => item.email === email,
    );
    expect(stored).toHaveLength(1);
  });
});
