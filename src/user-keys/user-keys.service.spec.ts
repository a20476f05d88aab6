import { randomBytes, randomUUID } from 'node:crypto';
import { FakeRepositories, newTestService } from '../../test/support/test-service';
import { unwrapUserKey, WrappedUserKey } from '../crypto/user-key';
import { initialKeyring, User } from '../users/user';
import { PasswordHasher } from '../password-gate/password-hasher';
import { UserKeysService } from './user-keys.service';

describe('UserKeysService: first login of migrated accounts (repository faked)', () => {
  const password = 'the old password';
  let hasher: PasswordHasher;
  let repository: FakeRepositories['users'];
  let keys: UserKeysService;

  beforeEach(async () => {
    const built = await newTestService(UserKeysService);
    [keys, hasher, repository] = [built.sut, built.get(PasswordHasher), built.repositories.users];
  });

  const migrated = async (keySalt: string): Promise<User> => {
    const user: User = {
      id: randomUUID(),
      email: `${randomUUID()}@example.com`,
      passwordHash: await hasher.hash(password),
      keySalt,
      createdAt: new Date(),
      ...initialKeyring(),
    };
    await repository.create(user);
    return (await repository.findById(user.id)) as User;
  };

  const opens = async (user: User, userKey: WrappedUserKey): Promise<boolean> => {
    const kek = await hasher.deriveKey(password, Buffer.from(user.keySalt, 'hex'), userKey.kdf);
    return unwrapUserKey(kek, userKey.wrapped, user.id) !== undefined;
  };

  it('gives an account migrated without a key salt a fresh 32-byte one, stored with its first key', async () => {
    const user = await migrated('');
    const userKey = await keys.ensureCurrent(user, password);
    expect(user.keySalt).toMatch(/^[0-9a-f]{64}$/);
    const stored = repository.users.get(user.id) as User;
    expect(stored.keySalt).toBe(user.keySalt);
    expect(stored.userKey).toEqual(userKey);
    expect(await opens(user, userKey)).toBe(true);
    // The next login keeps both.
    expect(await keys.ensureCurrent({ ...stored }, password)).toEqual(userKey);
  });

  it('derives the first key of an account with a 16-byte key salt from that salt, unchanged', async () => {
    const salt = randomBytes(16).toString('hex');
    const user = await migrated(salt);
    const userKey = await keys.ensureCurrent(user, password);
    expect(user.keySalt).toBe(salt);
    expect(await opens(user, userKey)).toBe(true);
  });
});
