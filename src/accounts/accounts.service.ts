import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { encryptionInfo } from '../auth/encryption-info';
import { PasswordGate } from '../auth/password-gate/password-gate';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../auth/sessions/sessions.service';
import { UserKeysService } from '../auth/user-keys.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiException } from '../common/errors/api.exception';
import type { ClientContext } from '../common/http/client-context';
import { DecryptService } from '../decrypt/decrypt.service';
import { toPublicUser, User } from '../users/user';
import { UsersService } from '../users/users.service';
import type { ChangePasswordDto, ChangePasswordResponseDto } from './dto/account.dto';

const KEY_SALT_BYTES = 32;

/** Account-wide operations that span every module's data: password change and deletion. */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly gate: PasswordGate,
    private readonly userKeys: UserKeysService,
    private readonly sessions: SessionsService,
    private readonly audioFiles: AudioFilesService,
    private readonly decrypt: DecryptService,
  ) {}

  /**
   * Re-hashes the password and re-wraps the same user key under it (new key salt), so every
   * recording still decrypts with the new password and none with the old; ends every other session
   * first.
   */
  async changePassword(caller: AuthenticatedUser, request: ChangePasswordDto, client: ClientContext): Promise<ChangePasswordResponseDto> {
    const user = await this.verifiedUser(caller, request.current_password, 'password', client);
    const keySalt = randomBytes(KEY_SALT_BYTES).toString('hex');
    const [passwordHash, userKey] = await Promise.all([
      this.passwords.hash(request.new_password),
      this.userKeys.rewrap(user, request.current_password, request.new_password, keySalt),
    ]);
    if (!userKey) throw new Error(`User key of ${user.id} does not open with its verified password`);
    // Other sessions end before the credentials change: should either step fail, the answer is not 2xx
    // and the old password still holds, or the new one does and nobody else is signed in.
    await this.sessions.revokeAll(user.id, caller.sessionId);
    if (!(await this.users.replaceCredentials(user.id, { passwordHash, keySalt, userKey }, user.passwordHash))) {
      throw ApiException.conflict('The password was changed by another request; sign in again');
    }
    // A sign-in with the old password racing the change may have started a session meanwhile.
    await this.sessions.revokeAll(user.id, caller.sessionId);
    const updated: User = { ...user, passwordHash, keySalt, userKey };
    return { user: toPublicUser(updated), key_salt: keySalt, encryption: encryptionInfo(updated, userKey) };
  }

  /**
   * Deletes everything of the account: recordings and decrypted copies, their records, decryption
   * jobs, sessions, the email claim and the account. The caller's own session and the account go
   * last, so a deletion interrupted half-way can be finished by calling again.
   */
  async deleteAccount(caller: AuthenticatedUser, password: string, client: ClientContext): Promise<void> {
    const user = await this.verifiedUser(caller, password, 'delete-account', client);
    await this.sessions.revokeAll(user.id, caller.sessionId);
    const files = await this.audioFiles.deleteAllOf(user.id);
    const jobs = await this.decrypt.forgetUser(user.id);
    await this.users.delete(user);
    // Last: until here the caller can repeat the call. Should this fail, the session can no longer
    // refresh (its account is gone) and its access token expires within JWT_TTL_SECONDS.
    await this.sessions.revokeAll(user.id);
    this.logger.log({ userId: user.id, files, jobs }, 'Account deleted');
  }

  private async verifiedUser(caller: AuthenticatedUser, password: string, action: 'password' | 'delete-account', client: ClientContext): Promise<User> {
    const attempt = await this.gate.admit({ action, account: caller.userId, client });
    const user = await this.users.findById(caller.userId);
    if (!user) throw ApiException.unauthorized('The account of this token no longer exists');
    return attempt.verify(password, user);
  }
}
