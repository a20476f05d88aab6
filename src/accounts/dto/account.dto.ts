import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsNewPassword, IsPresentedPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../password-gate/password-fields';
import { IsAccountEmail } from '../../users/dto/email-field.dto';
import { EMAIL_MAX_LENGTH } from '../../users/email';
import { EncryptionDto, mapEncryption } from '../../user-keys/dto/encryption.dto';
import { RECOVERY_CODE_PATTERN } from '../../crypto/recovery-code';
import { mapUser, UserDto } from '../../users/dto/user.dto';
import type { RedeemedRecovery, Rekeyed } from '../accounts.service';

export class ChangePasswordDto {
  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH })
  @IsPresentedPassword('current_password')
  current_password: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsNewPassword('new_password')
  new_password: string;
}

export class ChangePasswordResponseDto {
  @ApiProperty({ type: UserDto })
  user: UserDto;

  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'The new key salt' })
  key_salt: string;

  @ApiProperty({ type: EncryptionDto, description: 'The same user key, now wrapped under the new password' })
  encryption: EncryptionDto;
}

export function mapChangePassword({ user, userKey }: Rekeyed): ChangePasswordResponseDto {
  return { user: mapUser(user), key_salt: user.keySalt, encryption: mapEncryption(user, userKey) };
}

export class DeleteAccountDto {
  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH, description: 'The account’s password, to confirm' })
  @IsPresentedPassword('password')
  password: string;
}

class RecoveryCodeField {
  @ApiProperty({ example: '7K3M-Q9XD-2F8H-WJ4N-ZB6T-1PCR-5YVA', description: 'As written down: case, spaces and hyphens do not matter' })
  @Matches(RECOVERY_CODE_PATTERN, { message: 'recovery_code must be 28 letters and digits (hyphens and spaces allowed)' })
  @IsString({ message: 'recovery_code must be a string' })
  recovery_code: string;
}

export class ReplaceRecoveryCodeDto extends DeleteAccountDto {}

export class ChangeEmailDto extends DeleteAccountDto {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH, example: 'new@example.com' })
  @IsAccountEmail('new_email')
  new_email: string;
}

export class RedeemRecoveryCodeDto extends RecoveryCodeField {
  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH, description: 'The account’s current password: the unlocked keys are wrapped under it' })
  @IsPresentedPassword('password')
  password: string;
}

export class RecoveryCodeResponseDto {
  @ApiProperty({
    example: '7K3M-Q9XD-2F8H-WJ4N-ZB6T-1PCR-5YVA',
    description: 'The new recovery code, shown once: every earlier code stops working. The service keeps no copy.',
  })
  recovery_code: string;
}

export class RedeemRecoveryCodeResponseDto extends RecoveryCodeResponseDto {
  @ApiProperty({ type: 'integer', isArray: true, example: [1], description: 'Ids of the keys unlocked: recordings under them decrypt again' })
  unlocked_key_ids: number[];
}

export function mapRedeemedRecovery({ unlocked, code }: RedeemedRecovery): RedeemRecoveryCodeResponseDto {
  return { unlocked_key_ids: unlocked, recovery_code: code };
}
