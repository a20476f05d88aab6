import { createHash, randomBytes } from 'node:crypto';

export type AccountTokenPurpose = 'password-reset' | 'verify-email' | 'change-email';

/** How long each kind of mailed token works. */
export const ACCOUNT_TOKEN_TTL_MINUTES: Record<AccountTokenPurpose, number> = {
  'password-reset': 30,
  'verify-email': 24 * 60,
  'change-email': 24 * 60,
};

/** 32 random bytes, base64url: 43 characters. */
export const ACCOUNT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A single-use token sent by mail. Only its hash is stored: a leaked table grants nothing. */
export interface AccountToken {
  /** SHA-256 of the token, hex. */
  hash: string;
  purpose: AccountTokenPurpose;
  userId: string;
  /** The address the token was mailed to (for email verification and change: the one it confirms). */
  email: string;
  /** The account's keyring version when issued: a reset token stops working once the password changes. */
  keyringVersion: number;
  expiresAt: Date;
}

export function hashAccountToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new token and what is stored of it. */
export function newAccountToken(fields: Omit<AccountToken, 'hash' | 'expiresAt'>, now = Date.now()): { token: string; stored: AccountToken } {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now + ACCOUNT_TOKEN_TTL_MINUTES[fields.purpose] * 60_000);
  return { token, stored: { ...fields, hash: hashAccountToken(token), expiresAt } };
}
