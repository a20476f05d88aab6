import type { WrappedUserKey } from '../crypto/user-key';
import type { AccountDeletion, Keyring, User } from './user';

export class EmailAlreadyRegisteredError extends Error {
  constructor() {
    super('Email already registered');
    this.name = 'EmailAlreadyRegisteredError';
  }
}

/** A write was refused because its account is being deleted or is gone. */
export class AccountDeletedError extends Error {
  constructor() {
    super('The account is being deleted or no longer exists');
    this.name = 'AccountDeletedError';
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
   * With `keySalt`, an account that has no key salt gets this one together with the key.
   */
  abstract replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined, keySalt?: string): Promise<boolean>;
  /**
   * Replaces the login hash (a rehash under stronger parameters) only if it is still `expectedHash`
   * and the account is not being deleted. False when another change (or the deletion) came first.
   */
  abstract replacePasswordHash(userId: string, passwordHash: string, expectedHash: string): Promise<boolean>;
  /**
   * Replaces the keyring (and the login hash when it carries one) only if its version is still
   * `expectedVersion` and the account is not being deleted, and counts the version up. False when
   * another change (or the deletion) came first.
   */
  abstract saveKeyring(userId: string, keyring: Keyring, expectedVersion: number): Promise<boolean>;
  /** Marks the address verified, only while the account still uses `email` and is not being deleted; false otherwise. */
  abstract markEmailVerified(userId: string, email: string): Promise<boolean>;
  /**
   * Moves the account to `newEmail` (verified) and its email claim with it, in one transaction, only
   * while it still uses `user.email` and is not being deleted. False when it changed meanwhile.
   * @throws EmailAlreadyRegisteredError when another account holds `newEmail`
   */
  abstract changeEmail(user: User, newEmail: string): Promise<boolean>;
  /**
   * Marks the account as being deleted, unless it already is (a repeat keeps the first mark), and
   * returns the mark; undefined when the account is gone or already released.
   */
  abstract markDeleting(userId: string, startedAt: Date, sweepAfter: Date): Promise<AccountDeletion | undefined>;
  /** The account's deletion, if it is being deleted (released or not). */
  abstract findDeletion(userId: string): Promise<AccountDeletion | undefined>;
  /**
   * In one transaction: reduces the user item to its tombstone (no email, hash, salt or key) and
   * frees the email. False when the account was already released or swept.
   */
  abstract release(deletion: AccountDeletion): Promise<boolean>;
  /** Deletions whose final sweep is due at `now`, earliest first. */
  abstract dueDeletions(now: Date, limit: number): Promise<AccountDeletion[]>;
  /** Moves the sweep to `until` if nobody has moved it since `deletion` was read: one instance wins. */
  abstract leaseDeletion(deletion: AccountDeletion, until: Date): Promise<boolean>;
  /** Deletes the tombstone (and the email claim, if the deletion never released it). */
  abstract removeDeleted(deletion: AccountDeletion): Promise<void>;
}
