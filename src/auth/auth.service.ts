import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { toPublicUser, User } from '../users/user';
import { UsersService } from '../users/users.service';
import type { AuthResponseDto } from './dto/auth-response.dto';
import type { LoginDto, RegisterDto } from './dto/credentials.dto';
import { PasswordHasher } from './password-hasher';

const KEY_SALT_BYTES = 32;

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly jwt: JwtService,
  ) {}

  async register({ email, password }: RegisterDto): Promise<AuthResponseDto> {
    const user = await this.users.create({
      email,
      passwordHash: await this.passwords.hash(password),
      keySalt: randomBytes(KEY_SALT_BYTES).toString('hex'),
    });
    return this.authenticated(user);
  }

  /** Unknown email and wrong password take the same time and give the same answer. */
  async login({ email, password }: LoginDto): Promise<AuthResponseDto> {
    const user = await this.users.findByEmail(email);
    const valid = await this.passwords.verify(user?.passwordHash, password);
    if (!user || !valid) throw ApiException.unauthorized('Invalid email or password', ErrorCode.INVALID_CREDENTIALS);
    return this.authenticated(user);
  }

  private async authenticated(user: User): Promise<AuthResponseDto> {
    const token = await this.jwt.signAsync({ user_id: user.id }, { subject: user.id });
    return { token, user_id: user.id, key_salt: user.keySalt, user: toPublicUser(user) };
  }
}
