import type { KdfParameters, WrappedUserKey } from '../crypto/user-key';

/** The id of an account's first user key, and of every recording stored before key ids existed. */
export const FIRST_KEY_ID = 1;

/** An earlier user key (one a reset without the recovery code replaced), wrapped under the password. */
export interface OlderUserKey extends WrappedUserKey {
  keyId: number;
}

/**
 * User keys wrapped under a key derived from a recovery code: Argon2id(code, salt) with `kdf`. The
 * service keeps only the salt and the wrapped keys, never the code.
 */
export interface RecoveryWrap {
  /** 32 random bytes, hex. */
  salt: string;
  kdf: KdfParameters;
  keys: { keyId: number; wrapped: string }[];
}

export interface User {
  id: string;
  /** Normalised: trimmed and lower-cased. */
  email: string;
  /** Argon2id PHC string; never leaves the service. */
  passwordHash: string;
  /**
   * Random bytes as hex, handed to the client for its key derivation: 32 bytes, or 16 for some
   * accounts migrated from the old system. Empty for an account migrated without one (it had
   * protected nothing): its first login gives it a fresh one (`UserKeysService.ensureCurrent`).
   */
  keySalt: string;
  createdAt: Date;
  /**
   * The key recordings are encrypted under, wrapped by a key derived from the password. Absent for
   * accounts migrated from the old database until their first login.
   */
  userKey?: WrappedUserKey;
  /** Id of `userKey`: new recordings are stored under it. */
  keyId: number;
  /** Earlier keys the password still opens (a reset without the code, then the code entered). */
  olderKeys: OlderUserKey[];
  /** The current recovery code's wrapping of `userKey` and `olderKeys`; absent until a code is issued. */
  recovery?: RecoveryWrap;
  /** Keys a reset without the code left behind: only the recovery code of that time opens them. */
  lockedKeys: RecoveryWrap[];
  /** Counts changes of the keys above; every such change is conditional on it (optimistic locking). */
  keyringVersion: number;
  /** True once a link mailed to `email` was followed; absent on accounts from before verification. */
  emailVerified?: boolean;
  /** When `DELETE /api/user` began: from then on nothing more is written for the account. */
  deletingAt?: Date;
}

/** How long after registration an unverified address still receives password reset mail. */
const UNVERIFIED_RESET_GRACE_HOURS = 24;

/**
 * Reset links go only to an address the account proved it reads, or that registered moments ago (a
 * new user who forgot the password before opening the verification mail): a mistyped address never
 * receives another person's reset link a day later.
 */
export function mayReceiveResetMail(user: User, now = Date.now()): boolean {
  return user.emailVerified === true || now - user.createdAt.getTime() < UNVERIFIED_RESET_GRACE_HOURS * 3600_000;
}

/** The keyring fields of an account that has no user key yet, or only its first. */
export function initialKeyring(): Pick<User, 'keyId' | 'olderKeys' | 'lockedKeys' | 'keyringVersion'> {
  return { keyId: FIRST_KEY_ID, olderKeys: [], lockedKeys: [], keyringVersion: 0 };
}

/** Everything that the password, a reset or the recovery code change together. */
export type Keyring = Pick<User, 'keySalt' | 'keyId' | 'olderKeys' | 'lockedKeys'> & {
  userKey: WrappedUserKey;
  recovery?: RecoveryWrap;
  /** Replaced too when given. */
  passwordHash?: string;
};

/** Ids of the keys the password opens: recordings under any other key are locked. */
export function openKeyIds(user: User): Set<number> {
  return new Set([user.keyId, ...user.olderKeys.map((key) => key.keyId)]);
}

/**
 * An account being deleted. Its user item stays, as a tombstone, until the final sweep after
 * ACCOUNT_SWEEP_DELAY_SECONDS; `email` is absent once the deletion has released it.
 */
export interface AccountDeletion {
  userId: string;
  /** Absent once released: the tombstone keeps no email. */
  email?: string;
  startedAt: Date;
  /** When the final sweep is due (moved forward while an instance holds it). */
  sweepAfter: Date;
}
