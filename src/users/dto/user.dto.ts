import { ApiProperty } from '@nestjs/swagger';

export class UserDto {
  @ApiProperty({ format: 'uuid', example: '3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11' })
  user_id: string;

  @ApiProperty({ format: 'email', example: 'test@example.com' })
  email: string;

  @ApiProperty({ description: 'True once a link mailed to `email` was followed (registration and email change send one)' })
  email_verified: boolean;

  @ApiProperty({ format: 'date-time', example: '2026-11-25T14:34:27.123Z', description: 'ISO-8601 UTC' })
  created_at: string;
}

export class UserResponseDto {
  @ApiProperty({ type: UserDto })
  user: UserDto;
}
