import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { RECOVERY_CODE_PATTERN } from '../../crypto/recovery-code';
import { ACCOUNT_TOKEN_PATTERN } from '../account-tokens/account-token';
import { IsNewPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../password-gate/password-fields';
import { EmailField } from '../../users/dto/email-field.dto';

export class ForgotPasswordDto extends EmailField {}

export class ForgotPasswordResponseDto {
  @ApiProperty({ example: 'If an account uses this address and may receive reset mail, a link is on its way' })
  message: string;
}

export class ResetPasswordDto {
  @ApiProperty({ pattern: ACCOUNT_TOKEN_PATTERN.source, description: 'The token of the reset link (`…/reset-password?token=<token>`)' })
  @Matches(ACCOUNT_TOKEN_PATTERN, { message: 'token is not a reset token' })
  @IsString({ message: 'token must be a string' })
  token: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsNewPassword('new_password')
  new_password: string;

  @ApiPropertyOptional({
    example: '7K3M-Q9XD-2F8H-WJ4N-ZB6T-1PCR-5YVA',
    description:
      'With it every recording stays readable; without it older recordings are locked until it is entered (POST /api/user/recovery-code/redeem)',
  })
  @IsOptional()
  @Matches(RECOVERY_CODE_PATTERN, { message: 'recovery_code must be 28 letters and digits (hyphens and spaces allowed)' })
  @IsString({ message: 'recovery_code must be a string' })
  recovery_code?: string;
}

export class ResetPasswordResponseDto {
  @ApiProperty({ description: 'False when the reset went without the recovery code and older recordings are now locked' })
  all_recordings_readable: boolean;

  @ApiProperty({ type: 'integer', isArray: true, example: [], description: 'Ids of the keys whose recordings are locked (audio file `key_id`)' })
  locked_key_ids: number[];
}

export function mapPasswordReset(lockedKeyIds: number[]): ResetPasswordResponseDto {
  return { all_recordings_readable: lockedKeyIds.length === 0, locked_key_ids: lockedKeyIds };
}
