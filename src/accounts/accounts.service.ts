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
import { AppConfig } from '../config/app-config';
import { DecryptService } from '../decrypt/decrypt.service';
import { toPublicUser, User } from '../users/user';
import { accountDeleted, UsersService } from '../users/users.service';
import type { ChangePasswordDto, ChangePasswordResponseDto } from './dto/account.dto';

const KEY_SALT_BYTES = 32;
/** Deleted accounts one sweep takes on; the rest wait for the next. */
const SWEEP_BATCH = 10;
/** How long an instance holds a due sweep before another may take it over (it failed or stopped). */
const SWEEP_LEASE_MS = 5 * 60_000;

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
    config: AppConfig,
  ) {
    this.sweepDelayMs = config.accountDeletion.sweepDelaySeconds * 1000;
  }

  /**
   * Re-hashes the password and re-wraps the same user key under it (new key salt), so every
   * recording still decrypts with the new password and none with the old; ends every other session
   * first.
   */
  async changePassword(caller: AuthenticatedUser, request: ChangePasswordDto, client: ClientContext): Promise<ChangePasswordResponseDto> {
    const user = await this.verifiedUser(caller, request.current_password, 'password', client);
    if (user.deletingAt) throw accountDeleted();
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
        this.logger.warn({ userId: deletion.userId, error: (error as Error).message }, 'Final sweep of a deleted account failed; retried after its lease');
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

  private async verifiedUser(caller: AuthenticatedUser, password: string, action: 'password' | 'delete-account', client: ClientContext): Promise<User> {
    const attempt = await this.gate.admit({ action, account: caller.userId, client });
    const user = await this.users.findById(caller.userId);
    if (!user) throw ApiException.unauthorized('The account of this token no longer exists');
    return attempt.verify(password, user);
  }
}
