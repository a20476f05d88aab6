import type { WrappedUserKey } from '../../src/crypto/user-key';
import type { Keyring, User } from '../../src/users/user';
import { EmailAlreadyRegisteredError, UsersRepository } from '../../src/users/users.repository';

/** A UsersRepository in a Map, for service tests; the DynamoDB one is tested against DynamoDB Local. */
export class InMemoryUsersRepository extends UsersRepository {
  readonly users = new Map<string, User>();
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

  async replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.userKey?.wrapped !== expected?.wrapped) return false;
    user.userKey = userKey;
    return true;
  }

  async replacePasswordHash(userId: string, passwordHash: string, expectedHash: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.passwordHash !== expectedHash) return false;
    user.passwordHash = passwordHash;
    return true;
  }

  async saveKeyring(userId: string, keyring: Keyring, expectedVersion: number): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.keyringVersion !== expectedVersion) return false;
    const { passwordHash, ...keys } = keyring;
    Object.assign(user, keys, { passwordHash: passwordHash ?? user.passwordHash, keyringVersion: expectedVersion + 1 });
    return true;
  }

  async markEmailVerified(userId: string, email: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.email !== email) return false;
    user.emailVerified = true;
    return true;
  }

  async changeEmail(user: User, newEmail: string): Promise<boolean> {
    if ([...this.users.values()].some((existing) => existing.email === newEmail)) throw new EmailAlreadyRegisteredError();
    const stored = this.users.get(user.id);
    if (!stored || stored.email !== user.email) return false;
    Object.assign(stored, { email: newEmail, emailVerified: true });
    return true;
  }

  async delete(user: User): Promise<boolean> {
    return this.users.delete(user.id);
  }
}
