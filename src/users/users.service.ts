import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { ReadThroughCache } from '../common/util/expiring-cache';
import { AppConfig } from '../config/app-config';
import type { WrappedUserKey } from '../crypto/user-key';
import { AccountDeletion, FIRST_KEY_ID, initialKeyring, Keyring, openKeyIds, RecoveryWrap, User } from './user';
import { EmailAlreadyRegisteredError, UsersRepository } from './users.repository';

/** 410 ACCOUNT_DELETED: the answer of every write path once the account's deletion has begun. */
export function accountDeleted(): ApiException {
  return new ApiException(HttpStatus.GONE, ErrorCode.ACCOUNT_DELETED, 'This account is being deleted');
}

interface NewUser {
  /** Chosen by the caller when other data (the wrapped user key) is bound to it before creation. */
  id?: string;
  email: string;
  passwordHash: string;
  keySalt: string;
  userKey?: WrappedUserKey;
  recovery?: RecoveryWrap;
}

const OPEN_KEY_IDS_CACHE_MAX_ENTRIES = 10_000;

/**
 * Accounts. The only per-process state is a short cache of each account's open key ids (the `locked`
 * flag of listed recordings), forgotten whenever this process changes the account's keys.
 */
@Injectable()
export class UsersService {
  private readonly openKeys: ReadThroughCache<string, ReadonlySet<number>>;

  constructor(
    private readonly users: UsersRepository,
    config: AppConfig,
  ) {
    this.openKeys = new ReadThroughCache(config.authCacheTtlMs, OPEN_KEY_IDS_CACHE_MAX_ENTRIES, async (userId) => {
      const user = await this.users.findById(userId);
      return user ? openKeyIds(user) : new Set([FIRST_KEY_ID]);
    });
  }

  /** @throws ApiException 409 EMAIL_TAKEN when the email already has an account. */
  async create(newUser: NewUser): Promise<User> {
    const user: User = {
      ...newUser,
      id: newUser.id ?? randomUUID(),
      createdAt: new Date(),
      ...initialKeyring(),
    };
    try {
      await this.users.create(user);
    } catch (error) {
      if (error instanceof EmailAlreadyRegisteredError) {
        throw new ApiException(HttpStatus.CONFLICT, ErrorCode.EMAIL_TAKEN, 'User already exists');
      }
      throw error;
    }
    return user;
  }

  findById(userId: string): Promise<User | undefined> {
    return this.users.findById(userId);
  }

  /**
   * Ids of the keys the user's password opens, for showing recordings under other keys as locked.
   * Cached for AUTH_CACHE_TTL_MS: a change of the keys on another instance shows here within that
   * time (at once when this instance made it). Decisions that depend on the keys read them afresh.
   */
  openKeyIds(userId: string): Promise<ReadonlySet<number>> {
    return this.openKeys.get(userId);
  }

  /** An account being deleted is not found: nobody signs in to it any more. */
  async findByEmail(email: string): Promise<User | undefined> {
    const user = await this.users.findByEmail(email);
    return user?.deletingAt ? undefined : user;
  }

  /**
   * The caller's account, for a request about to write for it: one strongly consistent read.
   * @throws ApiException 401 when it is gone, 410 ACCOUNT_DELETED while it is being deleted.
   */
  async activeAccount(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw ApiException.unauthorized('The account of this token no longer exists');
    if (user.deletingAt) throw accountDeleted();
    return user;
  }

  /** @see UsersRepository.replacePasswordHash */
  replacePasswordHash(userId: string, passwordHash: string, expectedHash: string): Promise<boolean> {
    return this.users.replacePasswordHash(userId, passwordHash, expectedHash);
  }

  /** @see UsersRepository.saveKeyring */
  saveKeyring(user: User, keyring: Keyring): Promise<boolean> {
    return this.changingKeys(user.id, this.users.saveKeyring(user.id, keyring, user.keyringVersion));
  }

  /** @see UsersRepository.markEmailVerified */
  markEmailVerified(user: User): Promise<boolean> {
    return this.users.markEmailVerified(user.id, user.email);
  }

  /**
   * @see UsersRepository.changeEmail
   * @throws ApiException 409 EMAIL_TAKEN when another account holds `newEmail`.
   */
  async changeEmail(user: User, newEmail: string): Promise<boolean> {
    try {
      return await this.users.changeEmail(user, newEmail);
    } catch (error) {
      if (error instanceof EmailAlreadyRegisteredError) {
        throw new ApiException(HttpStatus.CONFLICT, ErrorCode.EMAIL_TAKEN, 'Another account uses this address');
      }
      throw error;
    }
  }

  /** @see UsersRepository.markDeleting */
  markDeleting(userId: string, startedAt: Date, sweepAfter: Date): Promise<AccountDeletion | undefined> {
    return this.changingKeys(userId, this.users.markDeleting(userId, startedAt, sweepAfter));
  }

  /** @see UsersRepository.findDeletion */
  findDeletion(userId: string): Promise<AccountDeletion | undefined> {
    return this.users.findDeletion(userId);
  }

  /** @see UsersRepository.release */
  releaseDeleted(deletion: AccountDeletion): Promise<boolean> {
    return this.users.release(deletion);
  }

  /** @see UsersRepository.dueDeletions */
  dueDeletions(now: Date, limit: number): Promise<AccountDeletion[]> {
    return this.users.dueDeletions(now, limit);
  }

  /** @see UsersRepository.leaseDeletion */
  leaseDeletion(deletion: AccountDeletion, until: Date): Promise<boolean> {
    return this.users.leaseDeletion(deletion, until);
  }

  /** @see UsersRepository.removeDeleted */
  removeDeleted(deletion: AccountDeletion): Promise<void> {
    return this.changingKeys(deletion.userId, this.users.removeDeleted(deletion));
  }

  /** @see UsersRepository.replaceUserKey */
  replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined, keySalt?: string): Promise<boolean> {
    return this.changingKeys(userId, this.users.replaceUserKey(userId, userKey, expected, keySalt));
  }

  /** Once a write that may change the account's keys has settled (committed or not), its open key ids are read again. */
  private async changingKeys<T>(userId: string, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.openKeys.forget(userId);
    }
  }

  async getById(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw ApiException.notFound('User not found');
    return user;
  }
}
