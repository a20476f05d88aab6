import { DECORATORS } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-codes';

/**
 * The status each code is sent with and a message it really carries, shown as that code's example
 * in the OpenAPI document. Typed by ErrorCode, so a new code does not compile until it is documented.
 */
export const ERROR_CODE_DOCS: Record<ErrorCode, { status: number; example: string }> = {
  VALIDATION_FAILED: { status: 400, example: 'Invalid request: email must be a valid email address' },
  INVALID_JSON: { status: 400, example: 'Request body is not valid JSON' },
  BODY_TOO_DEEP: { status: 400, example: 'Request body nests objects or arrays deeper than 32 levels' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 400,
    example: 'Unsupported Content-Type "text/plain": send a JSON body with Content-Type: application/json',
  },
  BAD_REQUEST: { status: 400, example: 'file_id must be a UUID' },
  INVALID_CURSOR: { status: 400, example: 'cursor is not valid for this listing' },
  INVALID_TOKEN: { status: 400, example: 'This reset link is invalid, used or expired; ask for a new one' },
  INVALID_RECOVERY_CODE: { status: 400, example: 'This is not the account’s recovery code' },
  UNAUTHORIZED: { status: 401, example: 'The session of this token has ended: sign in again' },
  TOKEN_EXPIRED: { status: 401, example: 'Token has expired' },
  INVALID_CREDENTIALS: { status: 401, example: 'Invalid email or password' },
  INVALID_PASSWORD: { status: 401, example: 'Invalid password' },
  FORBIDDEN: { status: 403, example: 's3_key must be under users/3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11/' },
  NOT_FOUND: { status: 404, example: 'Audio file not found' },
  OBJECT_NOT_FOUND: { status: 404, example: 'No object has been uploaded at s3_key yet' },
  ROUTE_NOT_FOUND: { status: 404, example: 'No route PUT /api/health' },
  METHOD_NOT_ALLOWED: { status: 405, example: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, example: 'The request was not received in time' },
  EMAIL_TAKEN: { status: 409, example: 'User already exists' },
  S3_KEY_TAKEN: { status: 409, example: 'An audio file with this s3_key is already registered' },
  CONFLICT: { status: 409, example: 'The password was changed by another request; sign in again' },
  ACCOUNT_DELETED: { status: 410, example: 'This account is being deleted' },
  PAYLOAD_TOO_LARGE: { status: 413, example: 'Request body is too large' },
  DECRYPTION_FAILED: { status: 422, example: 'The recording could not be decrypted' },
  RECORDING_LOCKED: {
    status: 423,
    example: 'This recording is locked by a password reset without the recovery code; enter the recovery code to unlock it',
  },
  RECORDING_TOO_LARGE: { status: 413, example: 'A recording may have at most 536870912 bytes; this one has 600000000' },
  UPLOAD_SIZE_MISMATCH: { status: 422, example: 'The upload has 999 bytes, not the 1000 declared for its URL; upload again with a new URL' },
  SERVER_BUSY: { status: 503, example: 'Too many decryptions are running; retry in 1 s' },
  TOO_MANY_REQUESTS: { status: 429, example: 'Too many attempts; retry in 42 s' },
  HEADERS_TOO_LARGE: { status: 431, example: 'Request headers are too large' },
  INTERNAL_ERROR: { status: 500, example: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, example: 'The service is temporarily unavailable; retry shortly' },
};

/** What a bare status number passed to ApiErrorResponses stands for. */
const CODES_OF_STATUS: Record<number, ErrorCode[]> = {
  400: [ErrorCode.BAD_REQUEST],
  401: [ErrorCode.UNAUTHORIZED],
  403: [ErrorCode.FORBIDDEN],
  404: [ErrorCode.NOT_FOUND],
  409: [ErrorCode.CONFLICT],
  413: [ErrorCode.PAYLOAD_TOO_LARGE],
  422: [ErrorCode.DECRYPTION_FAILED],
  429: [ErrorCode.TOO_MANY_REQUESTS],
  503: [ErrorCode.SERVICE_UNAVAILABLE],
};

export const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: malformed JSON, nesting deeper than 32 levels, wrong types, unknown fields or out-of-range values',
  401: 'Missing, malformed, expired (TOKEN_EXPIRED: refresh) or revoked bearer token, or wrong credentials',
  403: 'The caller may not use that resource',
  404: 'Not found, or not owned by the caller',
  405: 'Method not allowed',
  408: 'The request was not received within REQUEST_TIMEOUT_MS',
  409: 'Conflicts with existing data',
  410: 'The account is being deleted (ACCOUNT_DELETED): nothing more is written for it',
  413: 'Request body larger than BODY_LIMIT_BYTES, or a recording larger than MAX_RECORDING_BYTES',
  422: 'The stored recording could not be decrypted: tampered, truncated, or not encrypted for this user and file; or an upload is not the size declared for its URL',
  423: 'The recording’s key is locked by a password reset without the recovery code (RECORDING_LOCKED); POST /api/user/recovery-code/redeem unlocks it',
  429: 'Too many requests (or decryptions at once) from this address or against this account; retry after the Retry-After header (seconds)',
  431: 'Request headers too large',
  500: 'Unexpected failure; the message never carries internals',
  503: 'A dependency (DynamoDB or S3) is unavailable, or this instance runs as many decryptions as it may; retry after the Retry-After header (seconds)',
};

/** Every operation with a JSON body can fail on the body itself, before anything else runs. */
export const BODY_ERROR_CODES: readonly ErrorCode[] = [
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.INVALID_JSON,
  ErrorCode.BODY_TOO_DEEP,
  ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  ErrorCode.PAYLOAD_TOO_LARGE,
];
/** What the JWT guard answers on every bearer operation. */
export const BEARER_ERROR_CODES: readonly ErrorCode[] = [ErrorCode.UNAUTHORIZED, ErrorCode.TOKEN_EXPIRED];

/** Operation extension read (and removed) by buildOpenApiDocument, which writes the error responses. */
export const ERROR_CODES_EXTENSION = 'x-error-codes';

export function addErrorCodes(handler: object, codes: readonly ErrorCode[]): void {
  const extensions = (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler) ?? {}) as Record<string, unknown>;
  const known = (extensions[ERROR_CODES_EXTENSION] ?? []) as ErrorCode[];
  Reflect.defineMetadata(DECORATORS.API_EXTENSION, { ...extensions, [ERROR_CODES_EXTENSION]: [...new Set([...known, ...codes])] }, handler);
}

/**
 * The error codes an operation produces itself, e.g. `@ApiErrorResponses(ErrorCode.EMAIL_TAKEN, 429)`:
 * a status number stands for its generic code (429 → TOO_MANY_REQUESTS). On a controller it applies
 * to each of its routes, adding to theirs. The document adds what the operation's shape implies (body
 * and query validation, 401 on bearer operations, 503) and groups the codes by status, one example each.
 */
export function ApiErrorResponses(...errors: Array<ErrorCode | number>): MethodDecorator & ClassDecorator {
  const codes = errors.flatMap((error) => (typeof error === 'number' ? CODES_OF_STATUS[error] : [error]));
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      addErrorCodes(descriptor.value as object, codes);
      return;
    }
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name !== 'constructor' && typeof handler === 'function') addErrorCodes(handler, codes);
    }
  };
}

/**
 * The error codes of an operation behind the password gate, e.g. `@ApiPasswordChecked(ErrorCode.CONFLICT)`:
 * its own, with the gate's 401 INVALID_PASSWORD and its lockout, 429.
 */
export function ApiPasswordChecked(...errors: ErrorCode[]): MethodDecorator {
  return ApiErrorResponses(ErrorCode.INVALID_PASSWORD, ...errors, ErrorCode.TOO_MANY_REQUESTS);
}
