import type { KdfParameters } from '../crypto/user-key';
import { AccountDeletion, FIRST_KEY_ID, OlderUserKey, RecoveryWrap, User } from './user';

/**
 * How an account is stored in the users table (see docs/data-model.md): the account item, the item
 * that reserves its email, and what is left of it while it is being deleted.
 */

/** Partition-key prefix of the item that reserves an email for one account. */
export const EMAIL_CLAIM_PREFIX = 'EMAIL#';
/** The one `sweep_queue` value: the partition of `account-sweep-index` that holds every account being deleted. */
export const SWEEP_QUEUE = 'deleted-accounts';

interface UserItem {
  user_id: string;
  email: string;
  password_hash: string;
  key_salt: string;
  created_at: number;
  created_at_iso: string;
  wrapped_user_key?: string;
  user_key_kdf?: KdfParameters;
  /** Absent on accounts from before key ids: their key is key 1. */
  user_key_id?: number;
  older_user_keys?: OlderUserKeyItem[];
  recovery?: RecoveryWrapItem;
  locked_keys?: RecoveryWrapItem[];
  keyring_version?: number;
  email_verified?: boolean;
  /** Epoch ms; set by the deletion's mark, with `sweep_queue` and `sweep_after` (epoch ms). */
  deleting_at?: number;
}

/** What is left of an account between the end of `DELETE /api/user` and its final sweep. */
interface TombstoneItem {
  user_id: string;
  deleting_at: number;
  sweep_queue: string;
  sweep_after: number;
}

interface OlderUserKeyItem {
  key_id: number;
  wrapped: string;
  kdf: KdfParameters;
}

interface RecoveryWrapItem {
  salt: string;
  kdf: KdfParameters;
  keys: { key_id: number; wrapped: string }[];
}

interface EmailClaimItem {
  user_id: string;
  claimed_by: string;
  created_at: number;
}

export const toOlderKeyItem = (key: OlderUserKey): OlderUserKeyItem => ({ key_id: key.keyId, wrapped: key.wrapped, kdf: key.kdf });
const fromOlderKeyItem = (item: OlderUserKeyItem): OlderUserKey => ({ keyId: Number(item.key_id), wrapped: item.wrapped, kdf: item.kdf });
export const toRecoveryItem = (wrap: RecoveryWrap): RecoveryWrapItem => ({
  salt: wrap.salt,
  kdf: wrap.kdf,
  keys: wrap.keys.map((key) => ({ key_id: key.keyId, wrapped: key.wrapped })),
});
const fromRecoveryItem = (item: RecoveryWrapItem): RecoveryWrap => ({
  salt: item.salt,
  kdf: item.kdf,
  keys: item.keys.map((key) => ({ keyId: Number(key.key_id), wrapped: key.wrapped })),
});

export function toUserItem(user: User): UserItem {
  return {
    user_id: user.id,
    email: user.email,
    password_hash: user.passwordHash,
    key_salt: user.keySalt,
    created_at: user.createdAt.getTime(),
    created_at_iso: user.createdAt.toISOString(),
    wrapped_user_key: user.userKey?.wrapped,
    user_key_kdf: user.userKey?.kdf,
    // An account as registered (or migrated) carries only what differs from the initial keyring.
    user_key_id: user.keyId === FIRST_KEY_ID ? undefined : user.keyId,
    older_user_keys: user.olderKeys.length > 0 ? user.olderKeys.map(toOlderKeyItem) : undefined,
    recovery: user.recovery && toRecoveryItem(user.recovery),
    locked_keys: user.lockedKeys.length > 0 ? user.lockedKeys.map(toRecoveryItem) : undefined,
    keyring_version: user.keyringVersion === 0 ? undefined : user.keyringVersion,
    email_verified: user.emailVerified || undefined,
  };
}

export function fromUserItem(item: Record<string, unknown> | undefined): User | undefined {
  if (!item || typeof item.email !== 'string' || typeof item.password_hash !== 'string') return undefined;
  return {
    id: item.user_id as string,
    email: item.email,
    passwordHash: item.password_hash,
    keySalt: typeof item.key_salt === 'string' ? item.key_salt : '',
    createdAt: new Date(Number(item.created_at)),
    userKey: typeof item.wrapped_user_key === 'string' ? { wrapped: item.wrapped_user_key, kdf: item.user_key_kdf as KdfParameters } : undefined,
    keyId: typeof item.user_key_id === 'number' ? item.user_key_id : FIRST_KEY_ID,
    olderKeys: ((item.older_user_keys as OlderUserKeyItem[] | undefined) ?? []).map(fromOlderKeyItem),
    recovery: item.recovery ? fromRecoveryItem(item.recovery as RecoveryWrapItem) : undefined,
    lockedKeys: ((item.locked_keys as RecoveryWrapItem[] | undefined) ?? []).map(fromRecoveryItem),
    keyringVersion: typeof item.keyring_version === 'number' ? item.keyring_version : 0,
    emailVerified: item.email_verified === true || undefined,
    deletingAt: typeof item.deleting_at === 'number' ? new Date(item.deleting_at) : undefined,
  };
}

export function toTombstoneItem(deletion: AccountDeletion): TombstoneItem {
  return {
    user_id: deletion.userId,
    deleting_at: deletion.startedAt.getTime(),
    sweep_queue: SWEEP_QUEUE,
    sweep_after: deletion.sweepAfter.getTime(),
  };
}

export function fromDeletionItem(item: Record<string, unknown> | undefined): AccountDeletion | undefined {
  if (!item || typeof item.deleting_at !== 'number' || typeof item.sweep_after !== 'number') return undefined;
  return {
    userId: item.user_id as string,
    email: typeof item.email === 'string' ? item.email : undefined,
    startedAt: new Date(item.deleting_at),
    sweepAfter: new Date(item.sweep_after),
  };
}

export function emailClaimKey(email: string): string {
  return `${EMAIL_CLAIM_PREFIX}${email}`;
}

export function toEmailClaimItem(email: string, userId: string, createdAt: Date): EmailClaimItem {
  return { user_id: emailClaimKey(email), claimed_by: userId, created_at: createdAt.getTime() };
}
