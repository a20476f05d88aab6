import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode, FieldError } from './error-codes';

/** An HTTP error that already knows its envelope; thrown by services and pipes, rendered by the filter. */
export class ApiException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[],
  ) {
    super({ error: message, code, details }, status);
    this.message = message;
  }

  static badRequest(message: string, code: ErrorCode = ErrorCode.BAD_REQUEST): ApiException {
    return new ApiException(HttpStatus.BAD_REQUEST, code, message);
  }

  static unauthorized(message: string, code: ErrorCode = ErrorCode.UNAUTHORIZED): ApiException {
    return new ApiException(HttpStatus.UNAUTHORIZED, code, message);
  }

  static notFound(message: string, code: ErrorCode = ErrorCode.NOT_FOUND): ApiException {
    return new ApiException(HttpStatus.NOT_FOUND, code, message);
  }

  /** 429 with the Retry-After header the filter adds from `retryAfterSeconds`. */
  static tooManyRequests(retryAfterSeconds: number, message = `Too many attempts; retry in ${retryAfterSeconds} s`): ApiException {
    const exception = new ApiException(HttpStatus.TOO_MANY_REQUESTS, ErrorCode.TOO_MANY_REQUESTS, message);
    exception.retryAfterSeconds = retryAfterSeconds;
    return exception;
  }

  retryAfterSeconds?: number;

  /** 503 SERVER_BUSY with Retry-After: this process is at a capacity bound, a retry (maybe on another instance) may succeed. */
  static serverBusy(message: string, retryAfterSeconds: number): ApiException {
    const exception = new ApiException(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVER_BUSY, message);
    exception.retryAfterSeconds = retryAfterSeconds;
    return exception;
  }

  static forbidden(message: string): ApiException {
    return new ApiException(HttpStatus.FORBIDDEN, ErrorCode.FORBIDDEN, message);
  }

  static conflict(message: string, code: ErrorCode = ErrorCode.CONFLICT): ApiException {
    return new ApiException(HttpStatus.CONFLICT, code, message);
  }
}
