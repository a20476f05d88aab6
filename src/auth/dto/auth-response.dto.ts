import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto';
import { EncryptionDto } from './encryption.dto';

export class AuthResponseDto {
  @ApiProperty({ description: 'HS256 JWT; send as `Authorization: Bearer <token>`' })
  token: string;

  @ApiProperty({ format: 'uuid' })
  user_id: string;

  @ApiProperty({
    pattern: '^[0-9a-f]{64}$',
    description: '32 random bytes (64 hex characters): the salt the client derives its encryption key with',
  })
  key_salt: string;

  @ApiProperty({ type: UserDto })
  user: UserDto;

  @ApiProperty({ type: EncryptionDto, description: 'How to unwrap the user key that recordings are encrypted under' })
  encryption: EncryptionDto;
}
