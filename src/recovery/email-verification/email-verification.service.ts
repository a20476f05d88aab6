import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiException } from '../../common/errors/api.exception';
import { ErrorCode } from '../../common/errors/error-codes';
import type { ClientContext } from '../../common/http/client-context';
import { BackgroundTasks } from '../../common/util/background-tasks';
import { AppConfig } from '../../config/app-config';
import { emailChangedNotice, emailChangeMail, verificationMail } from '../../mail/mail-templates';
import { Mailer } from '../../mail/mailer';
import type { User } from '../../users/user';
import { accountDeleted, UsersService } from '../../users/users.service';
import { AccountTokenPurpose, hashAccountToken, newAccountToken } from '../account-tokens/account-token';
import { AccountTokensRepository } from '../account-tokens/account-tokens.repository';
import { RateLimiter } from '../../rate-limits/rate-limiter.service';

const invalidLink = (): ApiException => new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.INVALID_TOKEN, 'This link is invalid, used or expired');

/**
 * Proof that the account reads its address: a single-use link mailed at registration (again on
 * request), and the same proof for a new address before an email change, after which the old
 * address is told. Mail leaves after the response.
 */
@Injectable()
export class EmailVerificationService {
  private readonly linkBase: string;

  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccountTokensRepository,
    private readonly mailer: Mailer,
    private readonly background: BackgroundTasks,
    private readonly limiter: RateLimiter,
    config: AppConfig,
  ) {
    this.linkBase = config.mail.linkBaseUrl;
  }

  /** Mails `user` a link that verifies its current address. */
  sendVerification(user: User): void {
    this.background.run('verification mail', async () => {
      const token = await this.issue('verify-email', user, user.email);
      await this.mailer.send(verificationMail(user.email, { base: this.linkBase, token }));
    });
  }

  /** Another verification mail, within the account's budget; none for an address already verified. */
  async resend(userId: string, client: ClientContext): Promise<void> {
    await this.limiter.spendIpBudget('verify-email', client);
    await this.limiter.take('verify-email', this.limiter.passwordAttempts, userId, client);
    const user = await this.users.activeAccount(userId);
    if (!user.emailVerified) this.sendVerification(user);
  }

  async verify(token: string, client: ClientContext): Promise<User> {
    await this.limiter.spendIpBudget('verify-email', client);
    const used = await this.tokens.consume(hashAccountToken(token), 'verify-email');
    const user = used && (await this.users.findById(used.userId));
    if (user?.deletingAt) throw accountDeleted();
    // A link to an address the account no longer uses verifies nothing.
    if (!used || !user || user.email !== used.email || !(await this.users.markEmailVerified(user))) throw invalidLink();
    return { ...user, emailVerified: true };
  }

  /** Mails the new address a link that moves the account to it (the caller has shown the password). */
  requestChange(user: User, newEmail: string): void {
    this.background.run('email change mail', async () => {
      const token = await this.issue('change-email', user, newEmail);
      await this.mailer.send(emailChangeMail(newEmail, { base: this.linkBase, token }));
    });
  }

  /** Moves the account to the confirmed address (now verified) and tells the old one. */
  async confirmChange(token: string, client: ClientContext): Promise<User> {
    await this.limiter.spendIpBudget('verify-email', client);
    const used = await this.tokens.consume(hashAccountToken(token), 'change-email');
    const user = used && (await this.users.findById(used.userId));
    if (!used || !user) throw invalidLink();
    if (user.deletingAt) throw accountDeleted();
    if (user.email !== used.email) {
      if (!(await this.users.changeEmail(user, used.email))) throw ApiException.conflict('The account changed meanwhile; ask for a new link');
      const oldEmail = user.email;
      this.background.run('email changed notice', () => this.mailer.send(emailChangedNotice(oldEmail, used.email)));
    }
    return { ...user, email: used.email, emailVerified: true };
  }

  private async issue(purpose: AccountTokenPurpose, user: User, email: string): Promise<string> {
    const { token, stored } = newAccountToken({ purpose, userId: user.id, email, keyringVersion: user.keyringVersion });
    await this.tokens.save(stored);
    return token;
  }
}
