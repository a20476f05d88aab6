import { ApiProperty } from '@nestjs/swagger';
import { ApiDateTimeProperty, ApiUuidProperty } from '../../common/http/api-properties';
import type { User } from '../user';

export class UserDto {
  @ApiUuidProperty({ example: '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11' })
  user_id: string;

  @ApiProperty({ format: 'email', example: 'test@example.com' })
  email: string;

  @ApiProperty({ description: 'True once a link mailed to `email` was followed (registration and email change send one)' })
  email_verified: boolean;

  @ApiDateTimeProperty({ example: '2026-11-25T14:34:27.123Z', description: 'ISO-8601 UTC' })
  created_at: string;
}

export class UserResponseDto {
  @ApiProperty({ type: UserDto })
  user: UserDto;
}

export function mapUser(user: User): UserDto {
  return { user_id: user.id, email: user.email, email_verified: user.emailVerified === true, created_at: user.createdAt.toISOString() };
}
