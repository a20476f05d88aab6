import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import { UsersService } from '../users/users.service';
import type { AuthenticatedUser } from './authenticated-user';

export const JWT_ALGORITHM = 'HS256';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface TokenClaims {
  sub?: unknown;
  /** The Flask design's claim name for the subject; still honoured (when it agrees with `sub`). */
  user_id?: unknown;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  /** Runs after the signature, algorithm, issuer, audience and expiry have been checked. */
  async validate(claims: TokenClaims): Promise<AuthenticatedUser> {
    const subject = claims.sub ?? claims.user_id;
    const consistent = claims.user_id === undefined || claims.user_id === subject;
    if (typeof subject !== 'string' || !UUID.test(subject) || !consistent) {
      throw ApiException.unauthorized('Token does not identify a user');
    }
    if (!(await this.users.exists(subject))) {
      throw ApiException.unauthorized('The account of this token no longer exists');
    }
    return { userId: subject };
  }
}
