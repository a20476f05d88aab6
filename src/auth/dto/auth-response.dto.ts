import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiUuidProperty } from '../../common/http/api-properties';
import { mapUser, UserDto } from '../../users/dto/user.dto';
import { EncryptionDto, mapEncryption } from '../../user-keys/dto/encryption.dto';
import type { IssuedTokens, SignedIn } from '../auth.service';

export class TokenPairDto {
  @ApiProperty({ description: 'Short-lived HS256 access JWT (claims sub, sid, iat, exp, iss, aud); send as `Authorization: Bearer <token>`' })
  token: string;

  @ApiProperty({ description: 'Opaque; exchange it at POST /api/auth/refresh for a new pair. Single use: it rotates every time.' })
  refresh_token: string;

  @ApiProperty({ type: 'integer', example: 900, description: 'Seconds until `token` expires' })
  expires_in: number;

  @ApiUuidProperty({ description: 'This device’s session (see GET /api/sessions)' })
  session_id: string;
}

export function mapTokenPair(tokens: IssuedTokens): TokenPairDto {
  return { token: tokens.accessToken, refresh_token: tokens.refreshToken, expires_in: tokens.expiresInSeconds, session_id: tokens.sessionId };
}

export class AuthResponseDto extends TokenPairDto {
  @ApiUuidProperty()
  user_id: string;

  @ApiProperty({
    pattern: '^[0-9a-f]{64}$',
    description: '32 random bytes (64 hex characters): the salt the client derives its key-encryption key with',
  })
  key_salt: string;

  @ApiProperty({ type: UserDto })
  user: UserDto;

  @ApiProperty({ type: EncryptionDto, description: 'How to unwrap the user key that recordings are encrypted under' })
  encryption: EncryptionDto;

  @ApiPropertyOptional({
    example: '7K3M-Q9XD-2F8H-WJ4N-ZB6T-1PCR-5YVA',
    description:
      'The account’s recovery code, present only when a new one was just made: at registration, and at the first login of an account that has none. Shown to the user to write down; the service keeps no copy and never returns it again.',
  })
  recovery_code?: string;
}

export function mapAuthResponse({ user, userKey, tokens, recoveryCode }: SignedIn): AuthResponseDto {
  const response: AuthResponseDto = {
    ...mapTokenPair(tokens),
    user_id: user.id,
    key_salt: user.keySalt,
    user: mapUser(user),
    encryption: mapEncryption(user, userKey),
  };
  return recoveryCode ? { ...response, recovery_code: recoveryCode } : response;
}
