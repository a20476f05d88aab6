import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import type { ClientContext } from '../common/http/client-context';
import { AppConfig } from '../config/app-config';
import { newKeySalt, WrappedUserKey } from '../crypto/user-key';
import { FIRST_KEY_ID, User } from '../users/user';
import { accountDeleted, UsersService } from '../users/users.service';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import type { LoginDto, RegisterDto } from './dto/credentials.dto';
import { EmailVerificationService } from '../recovery/email-verification/email-verification.service';
import { PasswordGate } from '../password-gate/password-gate';
import { PasswordHasher } from '../password-gate/password-hasher';
import { RateLimiter } from '../rate-limits/rate-limiter.service';
import { IssuedSession, SessionsService } from '../sessions/sessions.service';
import { UserKeysService } from '../user-keys/user-keys.service';

/** An access token and the next refresh token of its session. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  sessionId: string;
}

/** A new session of `user`, with the user key its client unwraps; `recoveryCode` only when one was just made. */
export interface SignedIn {
  user: User;
  userKey: WrappedUserKey;
  tokens: IssuedTokens;
  recoveryCode?: string;
}

@Injectable()
export class AuthService {
  private readonly accessTtlSeconds: number;

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly gate: PasswordGate,
    private readonly jwt: JwtService,
    private readonly userKeys: UserKeysService,
    private readonly sessions: SessionsService,
    private readonly limiter: RateLimiter,
    private readonly verification: EmailVerificationService,
    config: AppConfig,
  ) {
    this.accessTtlSeconds = config.jwt.ttlSeconds;
  }

  /** The login hash and the key-encryption key use separate salts: neither reveals the other. */
  async register({ email, password }: RegisterDto, client: ClientContext): Promise<SignedIn> {
    await this.limiter.spendIpBudget('register', client);
    const id = randomUUID();
    const keySalt = newKeySalt();
    const [passwordHash, { userKey, code, recovery }] = await Promise.all([
      this.passwords.hash(password),
      this.userKeys.createWithRecovery(id, password, keySalt, FIRST_KEY_ID),
    ]);
    const user = await this.users.create({ id, email, passwordHash, keySalt, userKey, recovery });
    this.verification.sendVerification(user);
    return { ...(await this.signedIn(user, userKey, await this.sessions.start(user.id, client.userAgent))), recoveryCode: code };
  }

  /**
   * Unknown email and wrong password take the same time, give the same answer and count against
   * the same per-email budget, so nothing reveals whether an account exists.
   */
  async login({ email, password }: LoginDto, client: ClientContext): Promise<SignedIn> {
    const attempt = await this.gate.admit({ action: 'login', account: email, client });
    const user = await attempt.verify(password, await this.users.findByEmail(email));
    await this.upgradeHash(user, password);
    const userKey = await this.userKeys.ensureCurrent(user, password);
    // Accounts from before recovery codes (or whose reset went without one) get a code now, once.
    const recoveryCode = await this.userKeys.replaceRecovery({ ...user, userKey }, password, { onlyIfNone: true });
    const signedIn = await this.signedIn(user, userKey, await this.sessions.start(user.id, client.userAgent));
    return recoveryCode ? { ...signedIn, recoveryCode } : signedIn;
  }

  /**
   * A session whose account has gone (deleted meanwhile) issues nothing more, and ends. One whose
   * account is being deleted gets 410; the deletion ends it.
   */
  async refresh(refreshToken: string, client: ClientContext): Promise<IssuedTokens> {
    await this.limiter.spendIpBudget('refresh', client);
    const issued = await this.sessions.refresh(refreshToken);
    const user = await this.users.findById(issued.session.userId);
    if (!user) {
      await this.sessions.end(issued.session.id);
      throw ApiException.unauthorized('The account of this session no longer exists');
    }
    if (user.deletingAt) throw accountDeleted();
    return this.tokens(issued);
  }

  async logout(caller: AuthenticatedUser): Promise<void> {
    await this.sessions.end(caller.sessionId);
  }

  async logoutEverywhere(caller: AuthenticatedUser): Promise<void> {
    await this.sessions.revokeAll(caller.userId);
  }

  /** A hash made under weaker parameters than today's is replaced while the password is at hand. */
  private async upgradeHash(user: User, password: string): Promise<void> {
    if (!this.passwords.needsRehash(user.passwordHash)) return;
    const passwordHash = await this.passwords.hash(password);
    if (await this.users.replacePasswordHash(user.id, passwordHash, user.passwordHash)) user.passwordHash = passwordHash;
  }

  private async signedIn(user: User, userKey: WrappedUserKey, issued: IssuedSession): Promise<SignedIn> {
    return { user, userKey, tokens: await this.tokens(issued) };
  }

  private async tokens({ session, refreshToken }: IssuedSession): Promise<IssuedTokens> {
    const accessToken = await this.jwt.signAsync({ user_id: session.userId, sid: session.id }, { subject: session.userId });
    return { accessToken, refreshToken, expiresInSeconds: this.accessTtlSeconds, sessionId: session.id };
  }
}
