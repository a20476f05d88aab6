import { HttpStatus, Injectable } from '@nestjs/common';
import { ApiException } from '../../common/errors/api.exception';
import { ErrorCode } from '../../common/errors/error-codes';
import type { ClientContext } from '../../common/http/client-context';
import { PasswordHasher } from '../password-hasher';
import { LimitedAction, RateLimiter } from '../rate-limits/rate-limiter.service';

export type GatedAction = Extract<LimitedAction, 'login' | 'decrypt' | 'password' | 'delete-account'>;

export interface GateAttempt {
  action: GatedAction;
  /** Whose budget the attempt spends: the email tried at login (existing or not), the account id elsewhere. */
  account: string;
  client: ClientContext;
}

export interface PasswordCheck extends GateAttempt {
  password: string;
  /** The stored login hash; undefined for an unknown account (a full dummy verification runs all the same). */
  hash: string | undefined;
}

const refusal: Record<GatedAction, () => ApiException> = {
  login: () => ApiException.unauthorized('Invalid email or password', ErrorCode.INVALID_CREDENTIALS),
  decrypt: () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
  password: () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
  'delete-account': () => new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.INVALID_PASSWORD, 'Invalid password'),
};

/**
 * The one place a password is checked. Each attempt first spends the client address's budget, then
 * reserves one unit of the account's budget with a conditional write, and only then runs Argon2:
 * however many guesses race on however many instances, at most RATE_LIMIT_ACCOUNT_FAILURES are ever
 * verified per window, and the rest answer 429 with Retry-After, the right password included. A
 * password that proves right gives its unit back, so the owner's successes never lock them out.
 */
@Injectable()
export class PasswordGate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly passwords: PasswordHasher,
  ) {}

  /** Resolves when `password` matches `hash`; otherwise 401 (the unit stays spent) or 429. */
  async verify({ password, hash, ...attempt }: PasswordCheck): Promise<void> {
    await this.attempt(attempt, async () => ((await this.passwords.verify(hash, password)) ? true : undefined));
  }

  /**
   * For a proof other than the login hash (the wrapped user key opening under the password): `proof`
   * runs only once a unit is reserved, and its undefined result is a wrong password.
   */
  async attempt<T>({ action, account, client }: GateAttempt, proof: () => Promise<T | undefined>): Promise<T> {
    await this.limiter.spendIpBudget(action, client);
    const unit = await this.limiter.take(action, this.limiter.passwordAttempts, account, client);
    const result = await proof();
    if (result === undefined) throw refusal[action]();
    await unit.release();
    return result;
  }
}
