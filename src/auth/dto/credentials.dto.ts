import { ApiProperty } from '@nestjs/swagger';
import { IsNewPassword, IsPresentedPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../password-gate/password-fields';
import { EmailField } from '../../users/dto/email-field.dto';

export class RegisterDto extends EmailField {
  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, example: 'SecurePassword123!' })
  @IsNewPassword('password')
  password: string;
}

export class LoginDto extends EmailField {
  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH, example: 'SecurePassword123!' })
  @IsPresentedPassword('password')
  password: string;
}
