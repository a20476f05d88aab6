import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { ACCOUNT_TOKEN_PATTERN } from '../account-tokens/account-token';

export class MailedTokenDto {
  @ApiProperty({ pattern: ACCOUNT_TOKEN_PATTERN.source, description: 'The token of the mailed link (`…?token=<token>`)' })
  @Matches(ACCOUNT_TOKEN_PATTERN, { message: 'token is not a mailed token' })
  @IsString({ message: 'token must be a string' })
  token: string;
}
