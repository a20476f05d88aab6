import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import type { WrappedUserKey } from '../crypto/user-key';
import { initialKeyring, Keyring, RecoveryWrap, User } from './user';
import { EmailAlreadyRegisteredError, UsersRepository } from './users.repository';

export interface NewUser {
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

  findByEmail(email: string): Promise<User | undefined> {
    return this.users.findByEmail(email);
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

  /** @see UsersRepository.delete */
  delete(user: User): Promise<boolean> {
    return this.users.delete(user);
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
