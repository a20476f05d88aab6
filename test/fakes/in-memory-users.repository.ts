import type { WrappedUserKey } from '../../src/crypto/user-key';
import type { User } from '../../src/users/user';
import { Credentials, EmailAlreadyRegisteredError, UsersRepository } from '../../src/users/users.repository';

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

  async replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined, keySalt?: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.userKey?.wrapped !== expected?.wrapped || (keySalt && user.keySalt)) return false;
    user.userKey = userKey;
    if (keySalt) user.keySalt = keySalt;
    return true;
  }

  async replaceCredentials(userId: string, credentials: Credentials, expectedHash: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user || user.passwordHash !== expectedHash) return false;
    Object.assign(user, {
      passwordHash: credentials.passwordHash,
      keySalt: credentials.keySalt ?? user.keySalt,
      userKey: credentials.userKey ?? user.userKey,
    });
    return true;
  }

  async delete(user: User): Promise<boolean> {
    return this.users.delete(user.id);
  }
}
