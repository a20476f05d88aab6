import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds until the spent budget renews', schema: { type: 'integer' } },
  'RateLimit-Policy': { description: 'Each budget the request counted against: "ip";q=120;w=60, "account";q=10;w=900', schema: { type: 'string' } },
  RateLimit: { description: 'What is left of each budget: "ip";r=0;t=42, "account";r=9;t=800', schema: { type: 'string' } },
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: malformed JSON, nesting deeper than 32 levels, wrong types, unknown fields or out-of-range values (code VALIDATION_FAILED, INVALID_JSON, BODY_TOO_DEEP, UNSUPPORTED_MEDIA_TYPE, INVALID_CURSOR)',
  401: 'Missing, malformed, expired (code TOKEN_EXPIRED: refresh) or revoked bearer token, or wrong credentials',
  403: 'The caller may not use that resource (for example an S3 key outside users/<user_id>/)',
  404: 'Not found, or not owned by the caller',
  409: 'Conflicts with existing data',
  422: 'The stored recording could not be decrypted (code DECRYPTION_FAILED): tampered, truncated, or not encrypted for this user and file',
  423: 'The recording’s key is locked by a password reset without the recovery code (code RECORDING_LOCKED); POST /api/user/recovery-code/redeem unlocks it',
  413: 'Request body larger than BODY_LIMIT_BYTES',
  429: 'Too many attempts from this address or against this account; retry after the Retry-After header (seconds). Every response of a rate-limited endpoint carries RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers)',
  503: 'A dependency (DynamoDB) is unavailable; retry after the Retry-After header',
};

/** Documents the error envelope for the given statuses, plus 400 and 503 which any endpoint can return. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([400, ...statuses, 503])].sort();
  return applyDecorators(
    ...all.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto, headers: status === 429 ? RATE_LIMIT_HEADERS : undefined }),
    ),
  );
}
