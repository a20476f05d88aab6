import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import type { ClientContext } from '../common/http/client-context';
import { PasswordHasher } from './password-hasher';
import { LimitedAction, RateLimiter, Reservation } from '../rate-limits/rate-limiter.service';

export type GatedAction = Extract<LimitedAction, 'login' | 'decrypt' | 'password' | 'delete-account' | 'recovery-code' | 'change-email'>;

export interface GateEntry {
  action: GatedAction;
  /** Whose budget the attempt spends: the email tried at login (existing or not), the account id elsewhere. */
  account: string;
  client: ClientContext;
}

const refusal: Record<GatedAction, () => ApiException> = {
  login: () => ApiException.unauthorized('Invalid email or password', ErrorCode.INVALID_CREDENTIALS),
  decrypt: () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
  password: () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
  'delete-account': () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
  'recovery-code': () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
  'change-email': () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
};

/** One admitted password attempt, paid for by a reserved unit of its account's budget. Use it once. */
class PasswordAttempt {
  constructor(
    private readonly action: GatedAction,
    private readonly unit: Reservation,
    private readonly passwords: PasswordHasher,
  ) {}

  /**
   * Resolves to `account` when `password` matches its login hash; 401 otherwise (the unit stays
   * spent). An unknown account (undefined) runs a full dummy verification and fails alike.
   */
  async verify<T extends { passwordHash: string }>(password: string, account: T | undefined): Promise<T> {
    return this.prove(async () => ((await this.passwords.verify(account?.passwordHash, password)) ? account : undefined));
  }

  /** For a proof other than the login hash (the wrapped user key opening): undefined is a wrong password. */
  async prove<T>(proof: () => Promise<T | undefined>): Promise<T> {
    const result = await proof();
    if (result === undefined) throw refusal[this.action]();
    await this.unit.release();
    return result;
  }
}

/**
 * The one place a password is checked. `admit` spends the client address's budget, then reserves one
 * unit of the account's budget with a conditional write; only then may the caller read the account
 * and verify. However many guesses race on however many instances, at most
 * RATE_LIMIT_ACCOUNT_FAILURES are verified per window, and the rest answer 429 with Retry-After, the
 * right password included. A password that proves right gives its unit back, so the owner's
 * successes never lock them out.
 */
@Injectable()
export class PasswordGate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly passwords: PasswordHasher,
  ) {}

  async admit({ action, account, client }: GateEntry): Promise<PasswordAttempt> {
    await this.limiter.spendIpBudget(action, client);
    const unit = await this.limiter.take(action, this.limiter.passwordAttempts, account, client);
    return new PasswordAttempt(action, unit, this.passwords);
  }
}
