import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import type { Observable } from 'rxjs';
import type { AuthenticatedUser } from './authenticated-user';
import { IS_PUBLIC_KEY } from './public.decorator';

/** Global guard: every route needs `Authorization: Bearer <jwt>` unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<T = AuthenticatedUser>(error: unknown, user: T | false, info: unknown): T {
    if (error) throw error;
    if (user) return user;
    // Its own code: the client should refresh, not sign the user out.
    if (info instanceof Error && info.name === 'TokenExpiredError') throw ApiException.unauthorized('Token has expired', ErrorCode.TOKEN_EXPIRED);
    if (info instanceof Error && info.message === 'No auth token') {
      throw ApiException.unauthorized('Missing bearer token: send Authorization: Bearer <token>');
    }
    throw ApiException.unauthorized('Token is invalid');
  }
}
