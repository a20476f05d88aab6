import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/app-config';

/** Names a signing secret in the JWT header without revealing it: a truncated SHA-256. */
export function keyIdOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 12);
}

/**
 * The current signing secret and every secret still accepted for verification, by key id, so that
 * JWT_SECRET can be rotated (old one moved to JWT_PREVIOUS_SECRETS) without logging anyone out.
 */
export class TokenKeys {
  readonly signingKeyId: string;
  private readonly byKeyId: Map<string, string>;

  constructor(private readonly config: AppConfig['jwt']) {
    this.signingKeyId = keyIdOf(config.secret);
    this.byKeyId = new Map([config.secret, ...config.previousSecrets].map((secret) => [keyIdOf(secret), secret]));
  }

  get signingSecret(): string {
    return this.config.secret;
  }

  /** The secret a token's header names; the current one for tokens without a key id. */
  verificationSecret(rawToken: string): string | undefined {
    try {
      const header = JSON.parse(Buffer.from(rawToken.split('.')[0], 'base64url').toString('utf8')) as { kid?: unknown };
      if (header.kid === undefined) return this.config.secret;
      return typeof header.kid === 'string' ? this.byKeyId.get(header.kid) : undefined;
    } catch {
      return undefined;
    }
  }
}
