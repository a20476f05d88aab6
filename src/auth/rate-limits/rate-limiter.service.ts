import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApiException } from '../../common/errors/api.exception';
import { AppConfig } from '../../config/app-config';
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
  | 'change-email';

const IP_WINDOW_SECONDS = 60;

interface Window {
  index: number;
  endsAt: Date;
}

function windowOf(seconds: number, now = Date.now()): Window {
  const index = Math.floor(now / 1000 / seconds);
  return { index, endsAt: new Date((index + 1) * seconds * 1000) };
}

const retryAfter = (window: Window): number => Math.max(1, Math.ceil((window.endsAt.getTime() - Date.now()) / 1000));

/** Accounts are keyed by a hash, so the table holds no email addresses. */
const accountKey = (account: string): string => createHash('sha256').update(account).digest('base64url');

/**
 * Brute-force protection held in DynamoDB, so limits hold across instances: a per-client-IP budget
 * per action and minute, and a per-account budget of failed password attempts per window, applied
 * alike to accounts that exist and ones that do not.
 */
@Injectable()
export class RateLimiter {
  private readonly ipPerMinute: number;
  private readonly accountFailures: number;
  private readonly accountWindowSeconds: number;

  constructor(
    private readonly counters: RateLimitsRepository,
    config: AppConfig,
  ) {
    ({ ipPerMinute: this.ipPerMinute, accountFailures: this.accountFailures, accountWindowSeconds: this.accountWindowSeconds } =
      config.rateLimits);
  }

  /** Counts this request against the client's budget for `action`; 429 once it is spent. */
  async spendIpBudget(action: LimitedAction, ip: string): Promise<void> {
    const window = windowOf(IP_WINDOW_SECONDS);
    const hits = await this.counters.increment(`ip:${action}:${ip}:${window.index}`, window.endsAt);
    if (hits > this.ipPerMinute) throw ApiException.tooManyRequests(retryAfter(window));
  }

  /** 429 while the account has used up its failed attempts in this window. */
  async assertNotLocked(action: LimitedAction, account: string): Promise<void> {
    const window = windowOf(this.accountWindowSeconds);
    if ((await this.counters.count(this.failureKey(action, account, window))) >= this.accountFailures) {
      throw ApiException.tooManyRequests(retryAfter(window));
    }
  }

  async recordFailure(action: LimitedAction, account: string): Promise<void> {
    const window = windowOf(this.accountWindowSeconds);
    await this.counters.increment(this.failureKey(action, account, window), window.endsAt);
  }

  private failureKey(action: LimitedAction, account: string, window: Window): string {
    return `account:${action}:${accountKey(account)}:${window.index}`;
  }
}
