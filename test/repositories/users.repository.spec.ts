import { randomUUID } from 'node:crypto';
import type { WrappedUserKey } from '../../src/crypto/user-key';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import type { User } from '../../src/users/user';
import { EmailAlreadyRegisteredError } from '../../src/users/users.repository';
import { repositoryOnDynamoDbLocal } from '../support/repository-under-test';
import { scanAll } from '../support/test-app';

function aUser(overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    email: `${randomUUID()}@example.com`,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    keySalt: 'ab'.repeat(32),
    createdAt: new Date('2026-11-25T10:00:00.123Z'),
    ...overrides,
  };
}

const KDF = { algorithm: 'argon2id', version: 19, memory_kib: 19456, iterations: 2, parallelism: 1, key_length: 32 } as const;
const aKey = (wrapped: string): WrappedUserKey => ({ wrapped, kdf: { ...KDF } });

describe('DynamoDbUsersRepository (DynamoDB Local)', () => {
  const under = repositoryOnDynamoDbLocal(DynamoDbUsersRepository);
  let repository: DynamoDbUsersRepository;
  beforeAll(() => {
    repository = under.repository;
  });

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
    const stored = (await scanAll(under.documents, under.config.dynamodb.tables.users)).filter(
      (item) => item.email === email,
    );
    expect(stored).toHaveLength(1);
  });

  it('sets a user key only while it is still the expected one (absent at first); of concurrent first keys exactly one wins', async () => {
    const user = aUser();
    await repository.create(user);
    const outcomes = await Promise.all([0, 1, 2, 3].map((index) => repository.replaceUserKey(user.id, aKey(`first-${index}`), undefined)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = aKey(`first-${outcomes.indexOf(true)}`);
    expect((await repository.findById(user.id))?.userKey).toEqual(winner);
    expect(await repository.replaceUserKey(user.id, aKey('stale'), aKey('not-the-current-one'))).toBe(false);
    expect(await repository.replaceUserKey(user.id, aKey('rewrapped'), winner)).toBe(true);
    expect((await repository.findById(user.id))?.userKey).toEqual(aKey('rewrapped'));
  });

  it('sets no user key on an account that does not exist (nor creates one)', async () => {
    const id = randomUUID();
    expect(await repository.replaceUserKey(id, aKey('orphan'), undefined)).toBe(false);
    expect(await repository.findById(id)).toBeUndefined();
  });

  it('replaces the credentials only from the expected hash, keeping what is not given', async () => {
    const user = aUser({ userKey: aKey('original') });
    await repository.create(user);
    expect(await repository.replaceCredentials(user.id, { passwordHash: 'new-hash' }, 'not-the-hash')).toBe(false);
    expect(await repository.findById(user.id)).toEqual(user);
    expect(await repository.replaceCredentials(user.id, { passwordHash: 'new-hash' }, user.passwordHash)).toBe(true);
    expect(await repository.findById(user.id)).toEqual({ ...user, passwordHash: 'new-hash' });
    const changed = { passwordHash: 'newer-hash', keySalt: 'cd'.repeat(32), userKey: aKey('rewrapped') };
    expect(await repository.replaceCredentials(user.id, changed, 'new-hash')).toBe(true);
    expect(await repository.findById(user.id)).toEqual({ ...user, ...changed });
    expect(await repository.replaceCredentials(randomUUID(), changed, 'newer-hash')).toBe(false);
  });

  it('of concurrent password changes from one hash, exactly one is stored', async () => {
    const user = aUser();
    await repository.create(user);
    const outcomes = await Promise.all([0, 1, 2, 3].map((index) => repository.replaceCredentials(user.id, { passwordHash: `hash-${index}` }, user.passwordHash)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await repository.findById(user.id))?.passwordHash).toBe(`hash-${outcomes.indexOf(true)}`);
  });

  it('deletes the account with its email claim, so the email registers again; a second delete is false', async () => {
    const user = aUser();
    await repository.create(user);
    expect(await repository.delete(user)).toBe(true);
    expect(await repository.findById(user.id)).toBeUndefined();
    expect(await repository.findByEmail(user.email)).toBeUndefined();
    expect(await repository.delete(user)).toBe(false);
    const again = aUser({ email: user.email });
    await repository.create(again);
    expect(await repository.findByEmail(user.email)).toEqual(again);
  });

  it('never releases an email claimed by another account when deleting a stale copy of a user', async () => {
    const owner = aUser();
    await repository.create(owner);
    const impostor = aUser({ email: owner.email });
    expect(await repository.delete(impostor)).toBe(false);
    expect(await repository.findByEmail(owner.email)).toEqual(owner);
  });
});
