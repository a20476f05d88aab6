import { InMemoryAccountTokensRepository } from '../../../test/fakes/in-memory-account-tokens';
import { InMemoryRateLimitsRepository } from '../../../test/fakes/in-memory-rate-limits';
import { InMemorySessionsRepository } from '../../../test/fakes/in-memory-sessions';
import { InMemoryUsersRepository } from '../../../test/fakes/in-memory-users.repository';
import { testConfig } from '../../../test/fakes/config';
import { BackgroundTasks } from '../../common/util/background-tasks';
import { Mailer, MailMessage } from '../../mail/mailer';
import { UsersService } from '../../users/users.service';
import { PasswordGate } from '../../password-gate/password-gate';
import { PasswordHasher } from '../../password-gate/password-hasher';
import { RateLimiter } from '../../rate-limits/rate-limiter.service';
import { SessionsService } from '../../sessions/sessions.service';
import { UserKeysService } from '../../user-keys/user-keys.service';
import { PasswordResetService } from './password-reset.service';

class RecordingMailer extends Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
}

/** Records every counter operation, in order, with the account part of the key blanked out. */
class TracedRateLimits extends InMemoryRateLimitsRepository {
  readonly trace: string[] = [];
  override async reserve(key: string, limit: number): Promise<number | undefined> {
    this.trace.push(`reserve ${key.split(':').slice(0, 2).join(':')}`);
    return super.reserve(key, limit);
  }
  override async release(key: string): Promise<void> {
    this.trace.push(`release ${key.split(':').slice(0, 2).join(':')}`);
    return super.release(key);
  }
}

describe('PasswordResetService.forgot (repositories faked)', () => {
  const config = testConfig();
  const client = { ip: '203.0.113.9', userAgent: 'jest' };

  it('does the same work before answering whether or not the address has an account; only then looks it up and mails', async () => {
    const users = new InMemoryUsersRepository();
    const usersService = new UsersService(users, config);
    const hasher = new PasswordHasher(config);
    const limits = new TracedRateLimits();
    const tokens = new InMemoryAccountTokensRepository();
    const mailer = new RecordingMailer();
    const background = new BackgroundTasks();
    const service = new PasswordResetService(
      usersService,
      new UserKeysService(hasher, usersService, new PasswordGate(new RateLimiter(limits, config), hasher)),
      new SessionsService(new InMemorySessionsRepository(), config),
      new RateLimiter(limits, config),
      tokens,
      mailer,
      background,
      config,
    );
    await usersService.create({ email: 'known@example.com', passwordHash: 'hash', keySalt: '00'.repeat(32) });

    const answered = async (email: string) => {
      limits.trace.length = 0;
      users.reads = 0;
      await service.forgot(email, client);
      // What ran before the answer: the same counters, no account lookup, no token, no mail.
      const before = { trace: [...limits.trace], reads: users.reads, tokens: tokens.tokens.size, mails: mailer.sent.length };
      await background.settled();
      return before;
    };
    const known = await answered('known@example.com');
    const unknown = await answered('nobody@example.com');
    expect(known).toEqual({ trace: unknown.trace, reads: 0, tokens: 0, mails: 0 });
    expect(unknown.reads).toBe(0);
    expect(known.trace).toEqual(['reserve ip:forgot-password', 'reserve account:forgot-password']);
    // Afterwards only the account got a token and a mail.
    expect(mailer.sent.map((mail) => mail.to)).toEqual(['known@example.com']);
    expect(tokens.tokens.size).toBe(1);
  });
});
