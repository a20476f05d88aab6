import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AudioFilesService } from '../audio-files/audio-files.service';
import { GatedAction, PasswordGate } from '../password-gate/password-gate';
import { PasswordHasher } from '../password-gate/password-hasher';
import { RateLimiter } from '../rate-limits/rate-limiter.service';
import { EmailVerificationService } from '../recovery/email-verification/email-verification.service';
import { SessionsService } from '../sessions/sessions.service';
import { keyringOf, UserKeysService } from '../user-keys/user-keys.service';
import { newKeySalt, newUserKey, WrappedUserKey } from '../crypto/user-key';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import type { ClientContext } from '../common/http/client-context';
import { AppConfig } from '../config/app-config';
import { DecryptService } from '../decrypt/decrypt.service';
import type { User } from '../users/user';
import { accountDeleted, UsersService } from '../users/users.service';
import type { ChangeEmailDto, ChangePasswordDto, RedeemRecoveryCodeDto } from './dto/account.dto';

/** Deleted accounts one sweep takes on; the rest wait for the next. */
const SWEEP_BATCH = 10;
/** How long an instance holds a due sweep before another may take it over (it failed or stopped). */
const SWEEP_LEASE_MS = 5 * 60_000;

/** The account after a password change, and its user key wrapped under the new password. */
export interface Rekeyed {
  user: User;
  userKey: WrappedUserKey;
}

/** The keys a recovery code unlocked, and the new code that replaces it. */
export interface RedeemedRecovery {
  unlocked: number[];
  code: string;
}

interface SweptContent {
  files: number;
  jobs: number;
  sessions: number;
}

/** Account-wide operations that span every module's data: password change and deletion. */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);
  private readonly sweepDelayMs: number;

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
    config: AppConfig,
  ) {
    this.sweepDelayMs = config.accountDeletion.sweepDelaySeconds * 1000;
  }

  /**
   * Re-hashes the password and re-wraps the same user key under it (new key salt), so every
   * recording still decrypts with the new password and none with the old; ends every other session
   * first.
   */
  async changePassword(caller: AuthenticatedUser, request: ChangePasswordDto, client: ClientContext): Promise<Rekeyed> {
    const user = await this.verifiedUser(caller, request.current_password, 'password', client);
    if (user.deletingAt) throw accountDeleted();
    const keySalt = newKeySalt();
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
    return { user: { ...user, ...keyring }, userKey: wrapped.userKey };
  }

  /**
   * Mails the new address a confirmation link; the account moves there only once it is followed
   * (POST /api/auth/confirm-email-change), and the old address is then told.
   */
  async requestEmailChange(caller: AuthenticatedUser, request: ChangeEmailDto, client: ClientContext): Promise<void> {
    const user = await this.verifiedUser(caller, request.password, 'change-email', client);
    if (user.deletingAt) throw accountDeleted();
    if (request.new_email !== user.email) this.verification.requestChange(user, request.new_email);
  }

  /** A new recovery code over every key of the account; the old code stops working. */
  async replaceRecoveryCode(caller: AuthenticatedUser, password: string, client: ClientContext): Promise<string> {
    const user = await this.verifiedUser(caller, password, 'recovery-code', client);
    if (user.deletingAt) throw accountDeleted();
    const code = await this.userKeys.replaceRecovery(user, password);
    if (!code) throw ApiException.conflict('The keys were changed by another request; try again');
    return code;
  }

  /**
   * Unlocks the recordings a reset without the recovery code locked: the code of that time opens
   * their keys, which are then kept under the current password. Wrong codes count towards a lockout.
   */
  async redeemRecoveryCode(caller: AuthenticatedUser, request: RedeemRecoveryCodeDto, client: ClientContext): Promise<RedeemedRecovery> {
    const user = await this.verifiedUser(caller, request.password, 'recovery-code', client);
    if (user.deletingAt) throw accountDeleted();
    // The code is a secret too: each try reserves a unit of the account's budget, kept when it is wrong.
    const unit = await this.limiter.take('recovery-code', this.limiter.passwordAttempts, caller.userId, client);
    const redeemed = await this.userKeys.redeemRecovery(user, request.password, request.recovery_code);
    if (redeemed !== 'invalid') await unit.release();
    if (redeemed === 'invalid') {
      throw new ApiException(
        HttpStatus.BAD_REQUEST,
        ErrorCode.INVALID_RECOVERY_CODE,
        'This recovery code unlocks none of the account’s locked recordings',
      );
    }
    if (!redeemed) throw ApiException.conflict('The keys were changed by another request; try again');
    return redeemed;
  }

  /**
   * Marks the account as being deleted (from then on every write path refuses it, on every
   * instance), deletes everything of it but the caller's session, then in one transaction reduces
   * the account to a tombstone and frees the email. A call interrupted anywhere is finished by
   * calling again: before the release the password still checks, after it the repeat finds the
   * tombstone and is done. The final sweep (`sweepDueDeletions`) removes the tombstone and the
   * caller's session after every upload URL issued before the mark has expired.
   */
  async deleteAccount(caller: AuthenticatedUser, password: string, client: ClientContext): Promise<void> {
    const earlier = await this.users.findDeletion(caller.userId);
    // Released by an earlier call whose answer was lost: done.
    if (earlier && earlier.email === undefined) return;
    const user = await this.verifiedUser(caller, password, 'delete-account', client);
    const startedAt = new Date();
    const deletion = await this.users.markDeleting(user.id, startedAt, new Date(startedAt.getTime() + this.sweepDelayMs));
    if (!deletion) return;
    const swept = await this.sweep(user.id, caller.sessionId);
    await this.users.releaseDeleted(deletion);
    this.logger.log({ userId: user.id, ...swept }, 'Account deleted; final sweep pending');
  }

  /**
   * The final sweep of deleted accounts whose ACCOUNT_SWEEP_DELAY_SECONDS have passed: everything of
   * each is deleted again (what an old upload URL stored since, what an index showed late), then its
   * tombstone. Each is leased first, so of several instances one sweeps it; a sweep that fails is
   * taken up again when its lease ends. Returns how many accounts were swept.
   */
  async sweepDueDeletions(now = new Date()): Promise<number> {
    let swept = 0;
    for (const deletion of await this.users.dueDeletions(now, SWEEP_BATCH)) {
      if (!(await this.users.leaseDeletion(deletion, new Date(now.getTime() + SWEEP_LEASE_MS)))) continue;
      try {
        const content = await this.sweep(deletion.userId);
        await this.users.removeDeleted(deletion);
        this.logger.log({ userId: deletion.userId, ...content }, 'Deleted account swept');
        swept++;
      } catch (error) {
        this.logger.warn(
          { userId: deletion.userId, error: (error as Error).message },
          'Final sweep of a deleted account failed; retried after its lease',
        );
      }
    }
    return swept;
  }

  /** Everything of the account but its user item and email claim, and but the session `keep`. */
  private async sweep(userId: string, keep?: string): Promise<SweptContent> {
    const files = await this.audioFiles.deleteAllOf(userId);
    const jobs = await this.decrypt.forgetUser(userId);
    const sessions = await this.sessions.revokeAll(userId, keep);
    return { files, jobs, sessions };
  }

  private async verifiedUser(caller: AuthenticatedUser, password: string, action: GatedAction, client: ClientContext): Promise<User> {
    const attempt = await this.gate.admit({ action, account: caller.userId, client });
    const user = await this.users.findById(caller.userId);
    if (!user) throw ApiException.unauthorized('The account of this token no longer exists');
    return attempt.verify(password, user);
  }
}
