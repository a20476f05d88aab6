import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import type { AuthenticatedUser } from './authenticated-user';
import { SessionsService } from './sessions/sessions.service';
import { TokenKeys } from './token-keys';

export const JWT_ALGORITHM = 'HS256';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface TokenClaims {
  sub?: unknown;
  /** The Flask design's claim name for the subject; still honoured (when it agrees with `sub`). */
  user_id?: unknown;
  sid?: unknown;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
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
  }

  /**
   * Runs after the signature, algorithm, issuer, audience and expiry have been checked. The session
   * must still exist: logging out, a password change or deleting the account ends it.
   */
  async validate(claims: TokenClaims): Promise<AuthenticatedUser> {
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
