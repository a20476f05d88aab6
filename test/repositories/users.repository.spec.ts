import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { WrappedUserKey } from '../../src/crypto/user-key';
import { DynamoDbUsersRepository } from '../../src/users/dynamodb-users.repository';
import { initialKeyring, User } from '../../src/users/user';
import { EmailAlreadyRegisteredError } from '../../src/users/users.repository';
import { userItems } from '../../tools/migration/items';
import { repositoryOnDynamoDbLocal } from '../support/repository-under-test';
import { scanAll } from '../support/test-app';

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
    const stored = (await scanAll(under.documents, under.config.dynamodb.tables.users)).filter((item) => item.email === email);
    expect(stored).toHaveLength(1);
  });

  it('saves a keyring only at the expected version: of two writers from one read, one wins', async () => {
    const user = aUser({ userKey: { wrapped: 'A'.repeat(80), kdf: KDF } });
    await repository.create(user);
    const recovery = { salt: 'cd'.repeat(32), kdf: KDF, keys: [{ keyId: 1, wrapped: 'R'.repeat(80) }] };
    const keyring = (wrapped: string) => ({
      keySalt: 'ef'.repeat(32),
      keyId: 2,
      userKey: { wrapped, kdf: KDF },
      olderKeys: [],
      lockedKeys: [recovery],
      passwordHash: '$argon2id$new',
    });
    const results = await Promise.all([
      repository.saveKeyring(user.id, keyring('B'.repeat(80)), 0),
      repository.saveKeyring(user.id, keyring('C'.repeat(80)), 0),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = (await repository.findById(user.id)) as User;
    expect(stored).toMatchObject({ keyringVersion: 1, keyId: 2, lockedKeys: [recovery], recovery: undefined, passwordHash: '$argon2id$new' });
    expect(await repository.saveKeyring(user.id, { ...keyring('D'.repeat(80)), recovery }, 0)).toBe(false);
    expect(await repository.saveKeyring(user.id, { ...keyring('D'.repeat(80)), recovery, passwordHash: undefined }, 1)).toBe(true);
    expect(await repository.findById(user.id)).toMatchObject({
      keyringVersion: 2,
      recovery,
      passwordHash: '$argon2id$new',
      userKey: { wrapped: 'D'.repeat(80) },
    });
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

  it('gives an account stored without a key salt one with its first key: of 5 concurrent first logins exactly one wins', async () => {
    const user = aUser({ keySalt: '' });
    for (const item of Object.values(userItems(user)))
      await under.documents.send(new PutCommand({ TableName: under.config.dynamodb.tables.users, Item: item }));
    expect((await repository.findById(user.id))?.keySalt).toBe('');
    const attempts = Array.from({ length: 5 }, (_, i) => ({ salt: String(i).repeat(64), key: aKey(`wrapped-${i}`) }));
    const results = await Promise.all(attempts.map(({ salt, key }) => repository.replaceUserKey(user.id, key, undefined, salt)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = attempts[results.indexOf(true)];
    expect(await repository.findById(user.id)).toMatchObject({ keySalt: winner.salt, userKey: winner.key });
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

  it('replaces the login hash only from the expected hash, keeping the keys', async () => {
    const user = aUser({ userKey: aKey('original') });
    await repository.create(user);
    expect(await repository.replacePasswordHash(user.id, 'new-hash', 'not-the-hash')).toBe(false);
    expect(await repository.findById(user.id)).toEqual(user);
    expect(await repository.replacePasswordHash(user.id, 'new-hash', user.passwordHash)).toBe(true);
    expect(await repository.findById(user.id)).toEqual({ ...user, passwordHash: 'new-hash' });
    expect(await repository.replacePasswordHash(randomUUID(), 'newer-hash', 'new-hash')).toBe(false);
  });

  it('of concurrent rehashes from one hash, exactly one is stored', async () => {
    const user = aUser();
    await repository.create(user);
    const outcomes = await Promise.all([0, 1, 2, 3].map((index) => repository.replacePasswordHash(user.id, `hash-${index}`, user.passwordHash)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await repository.findById(user.id))?.passwordHash).toBe(`hash-${outcomes.indexOf(true)}`);
  });

  describe('deletion: mark, release, final sweep', () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 2, 0, 0, 0) + ms);
    const item = async (key: string) =>
      (await under.documents.send(new GetCommand({ TableName: under.config.dynamodb.tables.users, Key: { user_id: key }, ConsistentRead: true })))
        .Item;

    it('marks once (a repeat keeps the first mark), after which the account still reads with deletingAt', async () => {
      const user = aUser();
      await repository.create(user);
      const first = await repository.markDeleting(user.id, at(0), at(60_000));
      expect(first).toEqual({ userId: user.id, email: user.email, startedAt: at(0), sweepAfter: at(60_000) });
      expect(await repository.markDeleting(user.id, at(5000), at(65_000))).toEqual(first);
      expect(await repository.findById(user.id)).toEqual({ ...user, deletingAt: at(0) });
      expect(await repository.markDeleting(randomUUID(), at(0), at(1))).toBeUndefined();
      // A password change, reset or recovery code that checked the account just before the mark writes nothing after it.
      expect(await repository.replacePasswordHash(user.id, 'new', user.passwordHash)).toBe(false);
      const keyring = {
        keySalt: 'ef'.repeat(32),
        keyId: 1,
        userKey: { wrapped: 'B'.repeat(80), kdf: KDF },
        olderKeys: [],
        lockedKeys: [],
        passwordHash: 'new',
      };
      expect(await repository.saveKeyring(user.id, keyring, user.keyringVersion)).toBe(false);
      expect(await repository.markEmailVerified(user.id, user.email)).toBe(false);
      expect(await repository.changeEmail(user, `moved-${randomUUID()}@example.com`)).toBe(false);
      expect(await repository.findById(user.id)).toEqual({ ...user, deletingAt: at(0) });
    });

    it('releases in one transaction: a tombstone without email, hash, salt or key, and the email claim gone', async () => {
      const user = aUser();
      await repository.create(user);
      const deletion = (await repository.markDeleting(user.id, at(0), at(60_000)))!;
      expect(await repository.release(deletion)).toBe(true);
      expect(await item(user.id)).toEqual({
        user_id: user.id,
        deleting_at: at(0).getTime(),
        sweep_queue: 'deleted-accounts',
        sweep_after: at(60_000).getTime(),
      });
      expect(await item(`EMAIL#${user.email}`)).toBeUndefined();
      expect(await repository.findById(user.id)).toBeUndefined();
      expect(await repository.findDeletion(user.id)).toEqual({ ...deletion, email: undefined });
      // Released already (a lost response): nothing changes.
      expect(await repository.release(deletion)).toBe(false);
      expect(await repository.markDeleting(user.id, at(1), at(2))).toBeUndefined();
    });

    it('leaves an email claim that another account holds', async () => {
      const user = aUser();
      await repository.create(user);
      const other = randomUUID();
      await under.documents.send(
        new PutCommand({ TableName: under.config.dynamodb.tables.users, Item: { user_id: `EMAIL#${user.email}`, claimed_by: other, created_at: 1 } }),
      );
      const deletion = (await repository.markDeleting(user.id, at(0), at(1)))!;
      expect(await repository.release(deletion)).toBe(true);
      expect((await item(`EMAIL#${user.email}`))?.claimed_by).toBe(other);
    });

    it('lists due deletions by sweep time; one lease wins; removal deletes the tombstone, or the account and its claim', async () => {
      const queueStart = Date.now() + 10 * 365 * 24 * 3600_000;
      const released = aUser();
      const abandoned = aUser();
      const notDue = aUser();
      for (const user of [released, abandoned, notDue]) await repository.create(user);
      const now = new Date(queueStart);
      await repository.release((await repository.markDeleting(released.id, at(0), new Date(queueStart - 2000)))!);
      await repository.markDeleting(abandoned.id, at(0), new Date(queueStart - 1000));
      await repository.markDeleting(notDue.id, at(0), new Date(queueStart + 1000));
      const due = (await repository.dueDeletions(now, 100)).filter((deletion) => [released.id, abandoned.id, notDue.id].includes(deletion.userId));
      expect(due).toEqual([
        { userId: released.id, email: undefined, startedAt: at(0), sweepAfter: new Date(queueStart - 2000) },
        { userId: abandoned.id, email: abandoned.email, startedAt: at(0), sweepAfter: new Date(queueStart - 1000) },
      ]);
      const leases = await Promise.all([
        repository.leaseDeletion(due[0], new Date(queueStart + 5000)),
        repository.leaseDeletion(due[0], new Date(queueStart + 6000)),
      ]);
      expect(leases.sort()).toEqual([false, true]);
      for (const deletion of due) await repository.removeDeleted(deletion);
      expect(await item(released.id)).toBeUndefined();
      expect(await item(abandoned.id)).toBeUndefined();
      expect(await item(`EMAIL#${abandoned.email}`)).toBeUndefined();
      expect(await item(notDue.id)).toBeDefined();
    });
  });
});
