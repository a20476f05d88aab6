import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import type { WrappedUserKey } from '../crypto/user-key';
import { AccountDeletion, initialKeyring, Keyring, RecoveryWrap, User } from './user';
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

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

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
    return this.users.saveKeyring(user.id, keyring, user.keyringVersion);
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
    return this.users.markDeleting(userId, startedAt, sweepAfter);
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
    return this.users.removeDeleted(deletion);
  }

  /** @see UsersRepository.replaceUserKey */
  replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined, keySalt?: string): Promise<boolean> {
    return this.users.replaceUserKey(userId, userKey, expected, keySalt);
  }

  async getById(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw ApiException.notFound('User not found');
    return user;
  }
}
