import type { WrappedUserKey } from '../crypto/user-key';

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
  /** When `DELETE /api/user` began: from then on nothing more is written for the account. */
  deletingAt?: Date;
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

export interface PublicUser {
  user_id: string;
  email: string;
  created_at: string;
}

export function toPublicUser(user: User): PublicUser {
  return { user_id: user.id, email: user.email, created_at: user.createdAt.toISOString() };
}
