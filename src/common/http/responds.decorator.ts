import { applyDecorators, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiResponse, ApiResponseNoStatusOptions } from '@nestjs/swagger';

/** The status a route answers with when it succeeds, and that answer as the document shows it: one decision, stated once. */
export function Responds(status: HttpStatus, options: ApiResponseNoStatusOptions): MethodDecorator {
  return applyDecorators(HttpCode(status), ApiResponse({ ...options, status }));
}
