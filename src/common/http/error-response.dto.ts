import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-codes';

class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'email must be an email' })
  message: string;
}

export class ErrorResponseDto {
  @ApiProperty({ description: 'Human-readable message', example: 'Invalid email or password' })
  error: string;

  @ApiProperty({ enum: Object.values(ErrorCode), description: 'Machine-readable error code' })
  code: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field problems (validation errors only)' })
  details?: FieldErrorDto[];

  @ApiProperty({ description: 'Same as the X-Request-Id response header', example: '0b0f5b6e-8a43-4c45-8a2c-5a0f1b2c3d4e' })
  request_id: string;
}
