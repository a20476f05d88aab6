import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { ExpiringCache } from '../common/util/expiring-cache';
import { AppConfig } from '../config/app-config';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { SessionsService } from '../sessions/sessions.service';
import { TokenKeys } from './token-keys';

export const JWT_ALGORITHM = 'HS256';
/**
 * How much longer than JWT_TTL_SECONDS a token's `exp − iat` may be. Both come from one signer's
 * clock, so only a signer rounding differently needs it; kept small so a token minted with a
 * leaked key cannot live long.
 */
export const TOKEN_LIFETIME_ALLOWANCE_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `<scheme> <credentials>`, as passport-jwt's ExtractJwt.fromAuthHeaderAsBearerToken read it. */
const AUTHORIZATION = /(\S+)\s+(\S+)/;

interface TokenClaims {
  sub?: unknown;
  /** The Flask design's claim name for the subject; still honoured (when it agrees with `sub`). */
  user_id?: unknown;
  sid?: unknown;
  iat?: unknown;
  exp?: unknown;
}

const invalidToken = (): ApiException => ApiException.unauthorized('Token is invalid');

/** Bounds the memory of the verified-token cache: an entry is a token string and its claims. */
const VERIFIED_TOKENS_MAX_ENTRIES = 10_000;

/** Checks an `Authorization: Bearer <jwt>` header and says who sent it; the global guard's work. */
@Injectable()
export class AccessTokens {
  private readonly maxLifetimeSeconds: number;
  private readonly issuer: string;
  private readonly audience: string;
  /**
   * Claims of tokens whose signature, algorithm, issuer and audience were checked, by exact token
   * string, for AUTH_CACHE_TTL_MS: a token is checked once per instance, not on every request. What a
   * token says cannot change, so nothing is lost but the HMAC; its expiry is still checked on every use.
   */
  private readonly verified: ExpiringCache<string, TokenClaims>;

  constructor(
    config: AppConfig,
    private readonly keys: TokenKeys,
    private readonly jwt: JwtService,
    private readonly sessions: SessionsService,
  ) {
    this.maxLifetimeSeconds = config.jwt.ttlSeconds + TOKEN_LIFETIME_ALLOWANCE_SECONDS;
    this.issuer = config.jwt.issuer;
    this.audience = config.jwt.audience;
    this.verified = new ExpiringCache(config.authCacheTtlMs, VERIFIED_TOKENS_MAX_ENTRIES);
  }

  /**
   * The signature (with the key the header names), algorithm, issuer, audience and expiry; then the
   * token must expire, within the lifetime this service gives its tokens, name a user and a session,
   * and that session must still exist: logging out, a password change or deleting the account ends it.
   */
  async authenticate(authorization: string | undefined): Promise<AuthenticatedUser> {
    const parts = typeof authorization === 'string' ? AUTHORIZATION.exec(authorization) : null;
    if (!parts || parts[1].toLowerCase() !== 'bearer') {
      throw ApiException.unauthorized('Missing bearer token: send Authorization: Bearer <token>');
    }
    const claims = this.verify(parts[2]);
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

  private verify(token: string): TokenClaims {
    const cached = this.verified.get(token);
    // jsonwebtoken's own test: expired once the current whole second reaches `exp`. An expired token
    // goes through the full check below, which says so (TOKEN_EXPIRED).
    if (typeof cached?.exp === 'number' && Math.floor(Date.now() / 1000) < cached.exp) return cached;
    const key = this.keys.verificationKey(token);
    if (!key) throw invalidToken();
    let claims: unknown;
    try {
      // @nestjs/jwt's types predate KeyObject; jsonwebtoken, which receives it, accepts one.
      claims = this.jwt.verify(token, {
        secret: key as unknown as Buffer,
        algorithms: [JWT_ALGORITHM],
        issuer: this.issuer,
        audience: this.audience,
      });
    } catch (error) {
      // Its own code: the client should refresh, not sign the user out.
      if (error instanceof Error && error.name === 'TokenExpiredError') throw ApiException.unauthorized('Token has expired', ErrorCode.TOKEN_EXPIRED);
      throw invalidToken();
    }
    if (typeof claims !== 'object' || claims === null) throw invalidToken();
    this.verified.set(token, claims);
    return claims;
  }
}
