import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiException } from '../../common/errors/api.exception';
import { ErrorCode } from '../../common/errors/error-codes';
import type { ClientContext } from '../../common/http/client-context';
import { BackgroundTasks } from '../../common/util/background-tasks';
import { AppConfig } from '../../config/app-config';
import { passwordResetMail } from '../../mail/mail-templates';
import { Mailer } from '../../mail/mailer';
import { mayReceiveResetMail, openKeyIds } from '../../users/user';
import { accountDeleted, UsersService } from '../../users/users.service';
import { ACCOUNT_TOKEN_TTL_MINUTES, hashAccountToken, newAccountToken } from '../account-tokens/account-token';
import { AccountTokensRepository } from '../account-tokens/account-tokens.repository';
import { RateLimiter } from '../../rate-limits/rate-limiter.service';
import { SessionsService } from '../../sessions/sessions.service';
import { UserKeysService } from '../../user-keys/user-keys.service';
import type { ResetPasswordDto } from './password-reset.dto';

const invalidResetToken = (): ApiException =>
  new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.INVALID_TOKEN, 'This reset link is invalid, used or expired; ask for a new one');

/** Forgot password: a mailed single-use link, then a new password with or without the recovery code. */
@Injectable()
export class PasswordResetService {
  private readonly linkBase: string;

  constructor(
    private readonly users: UsersService,
    private readonly userKeys: UserKeysService,
    private readonly sessions: SessionsService,
    private readonly limiter: RateLimiter,
    private readonly tokens: AccountTokensRepository,
    private readonly mailer: Mailer,
    private readonly background: BackgroundTasks,
    config: AppConfig,
  ) {
    this.linkBase = config.mail.linkBaseUrl;
  }

  /**
   * Counts the request against the client's and the address's budgets, then answers. Everything
   * that depends on whether the address has an account (lookup, token, mail) runs after the answer,
   * so neither the answer nor its timing tells an account from none.
   */
  async forgot(email: string, client: ClientContext): Promise<void> {
    await this.limiter.spendIpBudget('forgot-password', client);
    await this.limiter.take('forgot-password', this.limiter.passwordAttempts, email, client);
    this.background.run('password reset mail', () => this.mailResetLink(email, client));
  }

  /**
   * Checks the token and the recovery code before using the token up, so a mistyped code leaves the
   * link working (wrong codes count towards the account's lockout). Ends every session. Returns the
   * ids of the keys whose recordings are now locked (none after a reset with the code).
   */
  async reset(request: ResetPasswordDto, client: ClientContext): Promise<number[]> {
    await this.limiter.spendIpBudget('reset-password', client);
    const hash = hashAccountToken(request.token);
    const token = await this.tokens.find(hash, 'password-reset');
    if (!token) throw invalidResetToken();
    const user = await this.users.findById(token.userId);
    // A password changed (or reset) since the mail was sent makes the link stale.
    if (!user || user.keyringVersion !== token.keyringVersion || user.email !== token.email) throw invalidResetToken();
    if (user.deletingAt) throw accountDeleted();

    let keyring;
    if (request.recovery_code !== undefined) {
      // The code is a secret: each try reserves a unit of the account's budget, kept when it is wrong.
      const unit = await this.limiter.take('reset-password', this.limiter.passwordAttempts, user.id, client);
      const keys = user.recovery && (await this.userKeys.openRecovery(user.id, user.recovery, request.recovery_code));
      if (keys) await unit.release();
      if (!keys) {
        throw new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.INVALID_RECOVERY_CODE, 'This is not the account’s recovery code');
      }
      keyring = await this.userKeys.keyringAfterRecoveredReset(user, keys, request.new_password);
    } else {
      keyring = await this.userKeys.keyringAfterUnrecoveredReset(user, request.new_password);
    }
    if (!(await this.tokens.consume(hash, 'password-reset'))) throw invalidResetToken();
    if (!(await this.users.saveKeyring(user, keyring))) {
      throw ApiException.conflict('The password was changed by another request; ask for a new reset link');
    }
    await this.sessions.revokeAll(user.id);
    const open = openKeyIds({ ...user, ...keyring });
    return [...new Set(keyring.lockedKeys.flatMap((wrap) => wrap.keys.map((key) => key.keyId)))]
      .filter((keyId) => !open.has(keyId))
      .sort((a, b) => a - b);
  }

  private async mailResetLink(email: string, client: ClientContext): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || !mayReceiveResetMail(user)) return;
    // The per-account budget too: an account's mail stays bounded even across address changes.
    const spent = await this.limiter.take('forgot-password', this.limiter.passwordAttempts, user.id, client).then(
      () => false,
      () => true,
    );
    if (spent) return;
    const { token, stored } = newAccountToken({ purpose: 'password-reset', userId: user.id, email: user.email, keyringVersion: user.keyringVersion });
    await this.tokens.save(stored);
    await this.mailer.send(passwordResetMail(user.email, { base: this.linkBase, token }, ACCOUNT_TOKEN_TTL_MINUTES['password-reset']));
  }
}
