import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { ExpiringCache } from '../common/util/expiring-cache';
import type { WrappedUserKey } from '../crypto/user-key';
import type { User } from './user';
import { EmailAlreadyRegisteredError, UsersRepository } from './users.repository';

const USER_CACHE_MAX_ENTRIES = 10_000;

export interface NewUser {
  /** Chosen by the caller when other data (the wrapped user key) is bound to it before creation. */
  id?: string;
  email: string;
  passwordHash: string;
  keySalt: string;
  userKey?: WrappedUserKey;
}

@Injectable()
export class UsersService {
  /** Answers "does this token's user still exist?" for a few seconds without a DynamoDB read. */
  private readonly existenceCache: ExpiringCache<string, boolean>;

  constructor(
    private readonly users: UsersRepository,
    config: AppConfig,
  ) {
    this.existenceCache = new ExpiringCache(config.userCacheTtlMs, USER_CACHE_MAX_ENTRIES);
  }

  /** @throws ApiException 409 EMAIL_TAKEN when the email already has an account. */
  async create(newUser: NewUser): Promise<User> {
    const user: User = { ...newUser, id: newUser.id ?? randomUUID(), createdAt: new Date() };
    try {
      await this.users.create(user);
    } catch (error) {
      if (error instanceof EmailAlreadyRegisteredError) {
        throw new ApiException(HttpStatus.CONFLICT, ErrorCode.EMAIL_TAKEN, 'User already exists');
      }
      throw error;
    }
    this.existenceCache.set(user.id, true);
    return user;
  }

  findById(userId: string): Promise<User | undefined> {
    return this.users.findById(userId);
  }

  findByEmail(email: string): Promise<User | undefined> {
    return this.users.findByEmail(email);
  }

  /** For authenticating a token on every request; cached for USER_CACHE_TTL_MS. */
  async exists(userId: string): Promise<boolean> {
    const cached = this.existenceCache.get(userId);
    if (cached !== undefined) return cached;
    const found = (await this.users.findById(userId)) !== undefined;
    this.existenceCache.set(userId, found);
    return found;
  }

  /** @see UsersRepository.replaceUserKey */
  replaceUserKey(userId: string, userKey: WrappedUserKey, expected: WrappedUserKey | undefined): Promise<boolean> {
    return this.users.replaceUserKey(userId, userKey, expected);
  }

  async getById(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw ApiException.notFound('User not found');
    return user;
  }
}
