import { createHash, createSecretKey, KeyObject } from 'node:crypto';
import type { AppConfig } from '../config/app-config';

/** Names a signing secret in the JWT header without revealing it: a truncated SHA-256. */
export function keyIdOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 12);
}

/**
 * The current signing secret and every secret still accepted for verification, by key id, so that
 * JWT_SECRET can be rotated (old one moved to JWT_PREVIOUS_SECRETS) without logging anyone out.
 * Secrets are held as KeyObjects: given a string, jsonwebtoken first tries to parse it as a public
 * key and pays for a thrown exception on every single verification.
 */
export class TokenKeys {
  private readonly current: KeyObject;
  private readonly byKeyId: Map<string, KeyObject>;

  constructor(config: AppConfig['jwt']) {
    this.current = createSecretKey(Buffer.from(config.secret));
    this.byKeyId = new Map([config.secret, ...config.previousSecrets].map((secret) => [keyIdOf(secret), createSecretKey(Buffer.from(secret))]));
  }

  /**
   * The key a token's header names; the current one for tokens without a key id. None for a header
   * that lists critical extensions (`crit`): this service understands none, so RFC 7515 §4.1.11
   * requires refusing the token.
   */
  verificationKey(rawToken: string): KeyObject | undefined {
    try {
      const header = JSON.parse(Buffer.from(rawToken.split('.')[0], 'base64url').toString('utf8')) as { kid?: unknown; crit?: unknown };
      if (header.crit !== undefined) return undefined;
      if (header.kid === undefined) return this.current;
      return typeof header.kid === 'string' ? this.byKeyId.get(header.kid) : undefined;
    } catch {
      return undefined;
    }
  }
}
