import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomBytes, randomUUID } from 'node:crypto';
import type { WrappedUserKey } from '../crypto/user-key';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { toPublicUser, User } from '../users/user';
import { UsersService } from '../users/users.service';
import type { AuthResponseDto } from './dto/auth-response.dto';
import type { LoginDto, RegisterDto } from './dto/credentials.dto';
import { encryptionInfo } from './encryption-info';
import { PasswordHasher } from './password-hasher';
import { UserKeysService } from './user-keys.service';

const KEY_SALT_BYTES = 32;

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly userKeys: UserKeysService,
  ) {}

  /** The login hash and the key-encryption key use separate salts: neither reveals the other. */
  async register({ email, password }: RegisterDto): Promise<AuthResponseDto> {
    const id = randomUUID();
    const keySalt = randomBytes(KEY_SALT_BYTES).toString('hex');
    const [passwordHash, userKey] = await Promise.all([
      this.passwords.hash(password),
      this.userKeys.create(id, password, keySalt),
    ]);
    const user = await this.users.create({ id, email, passwordHash, keySalt, userKey });
    return this.authenticated(user, userKey);
  }

  /** Unknown email and wrong password take the same time and give the same answer. */
  async login({ email, password }: LoginDto): Promise<AuthResponseDto> {
    const user = await this.users.findByEmail(email);
    const valid = await this.passwords.verify(user?.passwordHash, password);
    if (!user || !valid) throw ApiException.unauthorized('Invalid email or password', ErrorCode.INVALID_CREDENTIALS);
    return this.authenticated(user, await this.userKeys.ensureCurrent(user, password));
  }

  private async authenticated(user: User, userKey: WrappedUserKey): Promise<AuthResponseDto> {
    const token = await this.jwt.signAsync({ user_id: user.id }, { subject: user.id });
    return {
      token,
      user_id: user.id,
      key_salt: user.keySalt,
      user: toPublicUser(user),
      encryption: encryptionInfo(user, userKey),
    };
  }
}
