/** Machine-readable `code` values of the error envelope; documented in the OpenAPI document. */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_JSON: 'INVALID_JSON',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BAD_REQUEST: 'BAD_REQUEST',
  INVALID_CURSOR: 'INVALID_CURSOR',
  UNAUTHORIZED: 'UNAUTHORIZED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  INVALID_PASSWORD: 'INVALID_PASSWORD',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  OBJECT_NOT_FOUND: 'OBJECT_NOT_FOUND',
  DECRYPTION_FAILED: 'DECRYPTION_FAILED',
  RECORDING_LOCKED: 'RECORDING_LOCKED',
  INVALID_RECOVERY_CODE: 'INVALID_RECOVERY_CODE',
  INVALID_TOKEN: 'INVALID_TOKEN',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  S3_KEY_TAKEN: 'S3_KEY_TAKEN',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldError {
  field: string;
  message: string;
}

/** The one error envelope of the API: `{ error, code, details?, request_id }`. */
export interface ErrorBody {
  error: string;
  code: ErrorCode;
  details?: FieldError[];
  request_id?: string;
}
