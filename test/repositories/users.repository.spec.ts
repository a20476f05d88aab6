import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/config/app-config';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import { initialKeyring, User } from '../../src/users/user';
import { EmailAlreadyRegisteredError } from '../../src/users/users.repository';
import { isolatedTables, scanAll } from '../support/test-app';

const KDF = { algorithm: 'argon2id', version: 19, memory_kib: 19456, iterations: 2, parallelism: 1, key_length: 32 } as const;

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

  it('saves a keyring only at the expected version: of two writers from one read, one wins', async () => {
    const user = aUser({ userKey: { wrapped: 'A'.repeat(80), kdf: KDF } });
    await repository.create(user);
    const recovery = { salt: 'cd'.repeat(32), kdf: KDF, keys: [{ keyId: 1, wrapped: 'R'.repeat(80) }] };
    const keyring = (wrapped: string) => ({ keySalt: 'ef'.repeat(32), keyId: 2, userKey: { wrapped, kdf: KDF }, olderKeys: [], lockedKeys: [recovery], passwordHash: '$argon2id$new' });
    const results = await Promise.all([repository.saveKeyring(user.id, keyring('B'.repeat(80)), 0), repository.saveKeyring(user.id, keyring('C'.repeat(80)), 0)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = (await repository.findById(user.id)) as User;
    expect(stored).toMatchObject({ keyringVersion: 1, keyId: 2, lockedKeys: [recovery], recovery: undefined, passwordHash: '$argon2id$new' });
    expect(await repository.saveKeyring(user.id, { ...keyring('D'.repeat(80)), recovery }, 0)).toBe(false);
    expect(await repository.saveKeyring(user.id, { ...keyring('D'.repeat(80)), recovery, passwordHash: undefined }, 1)).toBe(true);
    expect(await repository.findById(user.id)).toMatchObject({ keyringVersion: 2, recovery, passwordHash: '$argon2id$new', userKey: { wrapped: 'D'.repeat(80) } });
  });

  it('moves an account to a new email with its claim, refuses a taken one, and frees the old email', async () => {
    const user = aUser();
    const other = aUser();
    await Promise.all([repository.create(user), repository.create(other)]);
    await expect(repository.changeEmail(user, other.email)).rejects.toBeInstanceOf(EmailAlreadyRegisteredError);
    const newEmail = `moved-${randomUUID()}@example.com`;
    expect(await repository.changeEmail(user, newEmail)).toBe(true);
    expect(await repository.findByEmail(newEmail)).toMatchObject({ id: user.id, email: newEmail, emailVerified: true });
    expect(await repository.findByEmail(user.email)).toBeUndefined();
    // A second move from the stale address changes nothing.
    expect(await repository.changeEmail(user, `again-${randomUUID()}@example.com`)).toBe(false);
    await repository.create(aUser({ email: user.email }));
    expect(await repository.markEmailVerified(user.id, user.email)).toBe(false);
    expect(await repository.markEmailVerified(user.id, newEmail)).toBe(true);
  });
});
