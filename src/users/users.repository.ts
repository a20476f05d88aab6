import type { WrappedUserKey } from '../crypto/user-key';
import type { Keyring, User } from './user';

export class EmailAlreadyRegisteredError extends Error {
  constructor() {
    super('Email already registered');
    this.name = 'EmailAlreadyRegisteredError';
  }
}

/** Storage of accounts. The email is unique: `create` fails atomically when it is taken. */
export abstract class UsersRepository {
  /** @throws EmailAlreadyRegisteredError */
  abstract create(user: User): Promise<void>;
  abstract findById(userId: string): Promise<User | undefined>;
  abstract findByEmail(email: string): Promise<User | undefined>;
  /**
   * Replaces the wrapped user key only if it is still `expected` (undefined: still absent), so two
   * concurrent logins never wrap two different user keys. False when someone else changed it first.
   */
  abstract replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined): Promise<boolean>;
  /**
   * Replaces the login hash (a rehash under stronger parameters) only if it is still `expectedHash`.
   * False when another change came first.
   */
  abstract replacePasswordHash(userId: string, passwordHash: string, expectedHash: string): Promise<boolean>;
  /**
   * Replaces the keyring (and the login hash when it carries one) only if its version is still
   * `expectedVersion`, and counts the version up. False when another change came first.
   */
  abstract saveKeyring(userId: string, keyring: Keyring, expectedVersion: number): Promise<boolean>;
  /** Marks the address verified, only while the account still uses `email`; false otherwise. */
  abstract markEmailVerified(userId: string, email: string): Promise<boolean>;
  /**
   * Moves the account to `newEmail` (verified) and its email claim with it, in one transaction, only
   * while it still uses `user.email`. False when it changed meanwhile.
   * @throws EmailAlreadyRegisteredError when another account holds `newEmail`
   */
  abstract changeEmail(user: User, newEmail: string): Promise<boolean>;
  /** Removes the account and its email claim together; false when it was already gone. */
  abstract delete(user: User): Promise<boolean>;
}

