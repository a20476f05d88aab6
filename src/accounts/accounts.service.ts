import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { encryptionInfo } from '../auth/encryption-info';
import { GatedAction, PasswordGate } from '../auth/password-gate/password-gate';
import { PasswordHasher } from '../auth/password-hasher';
import { RateLimiter } from '../auth/rate-limits/rate-limiter.service';
import { EmailVerificationService } from '../auth/email-verification/email-verification.service';
import { SessionsService } from '../auth/sessions/sessions.service';
import { KEY_SALT_BYTES, keyringOf, UserKeysService } from '../auth/user-keys.service';
import { newUserKey } from '../crypto/user-key';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import type { ClientContext } from '../common/http/client-context';
import { DecryptService } from '../decrypt/decrypt.service';
import { toPublicUser, User } from '../users/user';
import { UsersService } from '../users/users.service';
import type {
  ChangeEmailDto,
  ChangePasswordDto,
  ChangePasswordResponseDto,
  RecoveryCodeResponseDto,
  RedeemRecoveryCodeDto,
  RedeemRecoveryCodeResponseDto,
} from './dto/account.dto';


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
    private readonly verification: EmailVerificationService,
    private readonly limiter: RateLimiter,
  ) {}

  /**
   * Re-hashes the password and re-wraps the same user key under it (new key salt), so every
   * recording still decrypts with the new password and none with the old; ends every other session
   * first.
   */
  async changePassword(caller: AuthenticatedUser, request: ChangePasswordDto, client: ClientContext): Promise<ChangePasswordResponseDto> {
    const user = await this.verifiedUser(caller, request.current_password, 'password', client);
    const keySalt = randomBytes(KEY_SALT_BYTES).toString('hex');
    // A migrated account that never signed in has no key yet: its first one is made now.
    const keys = user.userKey ? await this.userKeys.unlockAll(user, request.current_password) : new Map([[user.keyId, newUserKey()]]);
    if (!keys) throw new Error(`User key of ${user.id} does not open with its verified password`);
    const [passwordHash, wrapped] = await Promise.all([
      this.passwords.hash(request.new_password),
      this.userKeys.wrapForPassword(user.id, request.new_password, keySalt, keys, user.keyId),
    ]);
    // Other sessions end before the credentials change: should either step fail, the answer is not 2xx
    // and the old password still holds, or the new one does and nobody else is signed in.
    await this.sessions.revokeAll(user.id, caller.sessionId);
    const keyring = { ...keyringOf({ ...user, ...wrapped }), keySalt, passwordHash };
    if (!(await this.users.saveKeyring(user, keyring))) {
      throw ApiException.conflict('The password or keys were changed by another request; sign in again');
    }
    // A sign-in with the old password racing the change may have started a session meanwhile.
    await this.sessions.revokeAll(user.id, caller.sessionId);
    const { userKey } = wrapped;
    const updated: User = { ...user, ...keyring };
    return { user: toPublicUser(updated), key_salt: keySalt, encryption: encryptionInfo(updated, userKey) };
  }

  /**
   * Mails the new address a confirmation link; the account moves there only once it is followed
   * (POST /api/auth/confirm-email-change), and the old address is then told.
   */
  async requestEmailChange(caller: AuthenticatedUser, request: ChangeEmailDto, client: ClientContext): Promise<void> {
    const user = await this.verifiedUser(caller, request.password, 'change-email', client);
    if (request.new_email !== user.email) this.verification.requestChange(user, request.new_email);
  }

  /** A new recovery code over every key of the account; the old code stops working. */
  async replaceRecoveryCode(caller: AuthenticatedUser, password: string, client: ClientContext): Promise<RecoveryCodeResponseDto> {
    const user = await this.verifiedUser(caller, password, 'recovery-code', client);
    const code = await this.userKeys.replaceRecovery(user, password);
    if (!code) throw ApiException.conflict('The keys were changed by another request; try again');
    return { recovery_code: code };
  }

  /**
   * Unlocks the recordings a reset without the recovery code locked: the code of that time opens
   * their keys, which are then kept under the current password. Wrong codes count towards a lockout.
   */
  async redeemRecoveryCode(caller: AuthenticatedUser, request: RedeemRecoveryCodeDto, client: ClientContext): Promise<RedeemRecoveryCodeResponseDto> {
    const user = await this.verifiedUser(caller, request.password, 'recovery-code', client);
    // The code is a secret too: each try reserves a unit of the account's budget, kept when it is wrong.
    const unit = await this.limiter.take('recovery-code', this.limiter.passwordAttempts, caller.userId, client);
    const redeemed = await this.userKeys.redeemRecovery(user, request.password, request.recovery_code);
    if (redeemed !== 'invalid') await unit.release();
    if (redeemed === 'invalid') {
      throw new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.INVALID_RECOVERY_CODE, 'This recovery code unlocks none of the account’s locked recordings');
    }
    if (!redeemed) throw ApiException.conflict('The keys were changed by another request; try again');
    return { unlocked_key_ids: redeemed.unlocked, recovery_code: redeemed.code };
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

  private async verifiedUser(caller: AuthenticatedUser, password: string, action: GatedAction, client: ClientContext): Promise<User> {
    const attempt = await this.gate.admit({ action, account: caller.userId, client });
    const user = await this.users.findById(caller.userId);
    if (!user) throw ApiException.unauthorized('The account of this token no longer exists');
    return attempt.verify(password, user);
  }
}
