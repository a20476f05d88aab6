import type { WrappedUserKey } from '../../src/crypto/user-key';
import { AccountDeletion, initialKeyring, Keyring, User } from '../../src/users/user';
import { EmailAlreadyRegisteredError, UsersRepository } from '../../src/users/users.repository';

/** An account with placeholder credentials, for tests that only need it to exist. */
export function anAccount(id: string, email = `${id}@example.com`): User {
  return { id, email, passwordHash: 'hash', keySalt: '00'.repeat(32), createdAt: new Date(), ...initialKeyring() };
}

/** A UsersRepository in a Map, for service tests; the DynamoDB one is tested against DynamoDB Local. */
export class InMemoryUsersRepository extends UsersRepository {
  readonly users = new Map<string, User>();
  /** Accounts being deleted, by id; kept after `release` until `removeDeleted`. */
  readonly deletions = new Map<string, AccountDeletion>();
  reads = 0;

  async create(user: User): Promise<void> {
    if ([...this.users.values()].some((existing) => existing.email === user.email)) throw new EmailAlreadyRegisteredError();
    this.users.set(user.id, { ...user });
  }

  async findById(userId: string): Promise<User | undefined> {
    this.reads++;
    return this.users.get(userId);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    this.reads++;
    return [...this.users.values()].find((user) => user.email === email);
  }

  async replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined, keySalt?: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.userKey?.wrapped !== expected?.wrapped || (keySalt && user.keySalt)) return false;
    user.userKey = userKey;
    if (keySalt) user.keySalt = keySalt;
    return true;
  }

  async replacePasswordHash(userId: string, passwordHash: string, expectedHash: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.passwordHash !== expectedHash || user.deletingAt) return false;
    user.passwordHash = passwordHash;
    return true;
  }

  async saveKeyring(userId: string, keyring: Keyring, expectedVersion: number): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.keyringVersion !== expectedVersion || user.deletingAt) return false;
    const { passwordHash, ...keys } = keyring;
    Object.assign(user, keys, { passwordHash: passwordHash ?? user.passwordHash, keyringVersion: expectedVersion + 1 });
    return true;
  }

  async markEmailVerified(userId: string, email: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.email !== email || user.deletingAt) return false;
    user.emailVerified = true;
    return true;
  }

  async changeEmail(user: User, newEmail: string): Promise<boolean> {
    if ([...this.users.values()].some((existing) => existing.email === newEmail)) throw new EmailAlreadyRegisteredError();
    const stored = this.users.get(user.id);
    if (!stored || stored.email !== user.email || stored.deletingAt) return false;
    Object.assign(stored, { email: newEmail, emailVerified: true });
    return true;
  }

  async markDeleting(userId: string, startedAt: Date, sweepAfter: Date): Promise<AccountDeletion | undefined> {
    const user = this.users.get(userId);
    if (!user) return undefined;
    user.deletingAt ??= startedAt;
    if (!this.deletions.has(userId)) this.deletions.set(userId, { userId, email: user.email, startedAt, sweepAfter });
    return { ...(this.deletions.get(userId) as AccountDeletion) };
  }

  async findDeletion(userId: string): Promise<AccountDeletion | undefined> {
    const deletion = this.deletions.get(userId);
    return deletion && { ...deletion };
  }

  async release(deletion: AccountDeletion): Promise<boolean> {
    if (!this.users.delete(deletion.userId)) return false;
    (this.deletions.get(deletion.userId) as AccountDeletion).email = undefined;
    return true;
  }

  async dueDeletions(now: Date, limit: number): Promise<AccountDeletion[]> {
    return [...this.deletions.values()]
      .filter((deletion) => deletion.sweepAfter.getTime() <= now.getTime())
      .slice(0, limit)
      .map((deletion) => ({ ...deletion }));
  }

  async leaseDeletion(deletion: AccountDeletion, until: Date): Promise<boolean> {
    const stored = this.deletions.get(deletion.userId);
    if (stored?.sweepAfter.getTime() !== deletion.sweepAfter.getTime()) return false;
    stored.sweepAfter = until;
    return true;
  }

  async removeDeleted(deletion: AccountDeletion): Promise<void> {
    this.deletions.delete(deletion.userId);
    this.users.delete(deletion.userId);
  }
}
