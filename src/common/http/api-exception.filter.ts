import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiException } from '../errors/api.exception';
import { DependencyUnavailableError } from '../errors/domain.errors';
import { ErrorBody, ErrorCode } from '../errors/error-codes';
import { ErrorResponse, sendError } from './error-envelope';

const RETRY_AFTER_SECONDS_WHEN_UNAVAILABLE = 2;

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.BAD_REQUEST,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.UNAUTHORIZED,
  [HttpStatus.FORBIDDEN]: ErrorCode.FORBIDDEN,
  [HttpStatus.NOT_FOUND]: ErrorCode.ROUTE_NOT_FOUND,
  [HttpStatus.METHOD_NOT_ALLOWED]: ErrorCode.METHOD_NOT_ALLOWED,
  [HttpStatus.CONFLICT]: ErrorCode.CONFLICT,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PAYLOAD_TOO_LARGE,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.TOO_MANY_REQUESTS,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.SERVICE_UNAVAILABLE,
};

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Methods a route may have; OPTIONS is left out because CORS answers it on every path. */
const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The methods `path` has routes for, when the request's own method has none. */
function allowedMethods(request: FastifyRequest, path: string): string[] {
  const has = (method: string): boolean => request.server.findRoute({ method, url: path }) !== null;
  return has(request.method) ? [] : ROUTABLE_METHODS.filter(has);
}

function renderNotFound(request: FastifyRequest): ErrorResponse {
  const path = request.url.split('?')[0];
  const allowed = allowedMethods(request, path);
  if (allowed.length > 0) {
    return {
      status: HttpStatus.METHOD_NOT_ALLOWED,
      body: { error: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, code: ErrorCode.METHOD_NOT_ALLOWED },
      headers: { allow: allowed.join(', ') },
    };
  }
  return { status: HttpStatus.NOT_FOUND, body: { error: `No route ${request.method} ${path}`, code: ErrorCode.ROUTE_NOT_FOUND } };
}

/** Nest and Fastify errors that carry no `code` of ours: body parsing, unknown routes, guards. */
function renderHttpException(exception: HttpException, request: FastifyRequest): ErrorResponse {
  const status = exception.getStatus() as HttpStatus;
  const message = messageOf(exception);
  if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) {
    return {
      status: HttpStatus.BAD_REQUEST,
      body: {
        error: `Unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}: send a JSON body with Content-Type: application/json`,
        code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      },
    };
  }
  if (status === HttpStatus.PAYLOAD_TOO_LARGE) {
    return { status, body: { error: 'Request body is too large', code: ErrorCode.PAYLOAD_TOO_LARGE } };
  }
  if (status === HttpStatus.BAD_REQUEST && /JSON/i.test(message)) {
    return { status, body: { error: 'Request body is not valid JSON', code: ErrorCode.INVALID_JSON } };
  }
  if (status === HttpStatus.NOT_FOUND) return renderNotFound(request);
  if (status >= HttpStatus.INTERNAL_SERVER_ERROR) {
    return { status, body: { error: 'Internal server error', code: ErrorCode.INTERNAL_ERROR } };
  }
  return { status, body: { error: message, code: CODE_BY_STATUS[status] ?? ErrorCode.BAD_REQUEST } };
}

/**
 * The single exception filter: every error leaves the service as `{ error, code, details?, request_id }`
 * with the request id, and nothing internal (stack, SDK message) reaches the client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const rendered = this.render(exception, request);
    if (rendered.status >= 500) {
      this.logger.error({ err: exception, status: rendered.status }, 'Request failed');
    }
    sendError(request, reply, rendered);
  }

  private render(exception: unknown, request: FastifyRequest): ErrorResponse {
    if (exception instanceof ApiException) {
      const body = exception.getResponse() as ErrorBody;
      return {
        status: exception.getStatus(),
        body,
        headers: exception.retryAfterSeconds ? { 'retry-after': String(exception.retryAfterSeconds) } : undefined,
      };
    }
    if (exception instanceof HttpException) return renderHttpException(exception, request);
    if (exception instanceof DependencyUnavailableError) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { error: 'The service is temporarily unavailable; retry shortly', code: ErrorCode.SERVICE_UNAVAILABLE },
        headers: { 'retry-after': String(RETRY_AFTER_SECONDS_WHEN_UNAVAILABLE) },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: 'Internal server error', code: ErrorCode.INTERNAL_ERROR },
    };
  }
}
