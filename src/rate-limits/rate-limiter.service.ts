import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import type { ClientContext } from '../common/http/client-context';
import { AppConfig } from '../config/app-config';
import { RateLimitsRepository } from './rate-limits.repository';

export type LimitedAction =
  | 'login'
  | 'register'
  | 'refresh'
  | 'password'
  | 'decrypt'
  | 'delete-account'
  | 'recovery-code'
  | 'forgot-password'
  | 'reset-password'
  | 'verify-email'
  | 'change-email'
  | 'upload-url';

/** A budget of `quota` units per fixed window; `name` is what the RateLimit header fields call it. */
export interface RateLimitPolicy {
  name: string;
  quota: number;
  windowSeconds: number;
}

/** One unit taken from a budget. */
export interface Reservation {
  /** Gives the unit back (a password that proved right does not count against its account). */
  release(): Promise<void>;
}

const IP_WINDOW_SECONDS = 60;

interface Window {
  index: number;
  endsAt: Date;
}

function windowOf(seconds: number, now = Date.now()): Window {
  const index = Math.floor(now / 1000 / seconds);
  return { index, endsAt: new Date((index + 1) * seconds * 1000) };
}

const secondsLeft = (window: Window): number => Math.max(1, Math.ceil((window.endsAt.getTime() - Date.now()) / 1000));

/** Subjects (addresses, accounts, emails) are keyed by a hash, so the table holds no personal data. */
const digest = (subject: string): string => createHash('sha256').update(subject).digest('base64url');

/**
 * Budgets held in DynamoDB, so they hold across instances. Every unit is taken with a conditional
 * write before the work it pays for, and every policy a request was counted against is reported in
 * its reply's RateLimit header fields: a new limited action only has to call `take`.
 */
@Injectable()
export class RateLimiter {
  /** Requests per client address, action and minute. */
  readonly perAddress: RateLimitPolicy;
  /** Password attempts per account, action and window (see PasswordGate). */
  readonly passwordAttempts: RateLimitPolicy;

  constructor(
    private readonly counters: RateLimitsRepository,
    config: AppConfig,
  ) {
    const { ipPerMinute, accountFailures, accountWindowSeconds } = config.rateLimits;
    this.perAddress = { name: 'ip', quota: ipPerMinute, windowSeconds: IP_WINDOW_SECONDS };
    this.passwordAttempts = { name: 'account', quota: accountFailures, windowSeconds: accountWindowSeconds };
  }

  /** Counts this request against the client address's budget for `action`; 429 once it is spent. */
  async spendIpBudget(action: LimitedAction, client: ClientContext): Promise<void> {
    await this.take(action, this.perAddress, client.ip, client);
  }

  /** Takes one unit of `policy` for `subject`, or refuses with 429 and Retry-After (the window's end). */
  async take(action: LimitedAction, policy: RateLimitPolicy, subject: string, client: ClientContext): Promise<Reservation> {
    const window = windowOf(policy.windowSeconds);
    const key = `${policy.name}:${action}:${digest(subject)}:${window.index}`;
    const used = await this.counters.reserve(key, policy.quota, window.endsAt);
    const report = (remaining: number, resetSeconds = secondsLeft(window)): void =>
      client.rateLimits?.record({ policy: policy.name, quota: policy.quota, windowSeconds: policy.windowSeconds, remaining, resetSeconds });
    if (used === undefined) {
      const retryAfter = secondsLeft(window);
      report(0, retryAfter);
      throw ApiException.tooManyRequests(retryAfter);
    }
    report(policy.quota - used);
    return {
      release: async () => {
        await this.counters.release(key);
        report(policy.quota - used + 1);
      },
    };
  }
}
