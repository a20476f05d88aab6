import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import type { AuthenticatedUser } from './authenticated-user';
import { SessionsService } from './sessions/sessions.service';
import { TokenKeys } from './token-keys';

export const JWT_ALGORITHM = 'HS256';
/**
 * How much longer than JWT_TTL_SECONDS a token's `exp − iat` may be. Both come from one signer's
 * clock, so only a signer rounding differently needs it; kept small so a token minted with a
 * leaked key cannot live long.
 */
export const TOKEN_LIFETIME_ALLOWANCE_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface TokenClaims {
  sub?: unknown;
  /** The Flask design's claim name for the subject; still honoured (when it agrees with `sub`). */
  user_id?: unknown;
  sid?: unknown;
  iat?: unknown;
  exp?: unknown;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly maxLifetimeSeconds: number;

  constructor(
    config: AppConfig,
    keys: TokenKeys,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: (error: Error | null, key?: string | Buffer) => void) => {
        const key = keys.verificationKey(rawToken);
        // passport-jwt's types predate KeyObject; jsonwebtoken, which receives it, accepts one.
        if (key) done(null, key as unknown as Buffer);
        else done(ApiException.unauthorized('Token is invalid'));
      },
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
    this.maxLifetimeSeconds = config.jwt.ttlSeconds + TOKEN_LIFETIME_ALLOWANCE_SECONDS;
  }

  /**
   * Runs after the signature, algorithm, issuer, audience and expiry have been checked. A token must
   * expire, and within the lifetime this service gives its tokens. The session must still exist:
   * logging out, a password change or deleting the account ends it.
   */
  async validate(claims: TokenClaims): Promise<AuthenticatedUser> {
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp - claims.iat > this.maxLifetimeSeconds) {
      throw ApiException.unauthorized('Token has no expiry or lives longer than this service issues tokens for');
    }
    const subject = claims.sub ?? claims.user_id;
    const consistent = claims.user_id === undefined || claims.user_id === subject;
    if (typeof subject !== 'string' || !UUID.test(subject) || !consistent) {
      throw ApiException.unauthorized('Token does not identify a user');
    }
    if (typeof claims.sid !== 'string' || !UUID.test(claims.sid)) {
      throw ApiException.unauthorized('Token has no session: sign in again');
    }
    if (!(await this.sessions.isActive(claims.sid, subject))) {
      throw ApiException.unauthorized('The session of this token has ended: sign in again');
    }
    return { userId: subject, sessionId: claims.sid };
  }
}
