import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../common/http/api-error-responses.decorator';
import { Client, ClientContext } from '../../common/http/client-context';
import { UserResponseDto } from '../../users/dto/user.dto';
import type { AuthenticatedUser } from '../authenticated-user';
import { CurrentUser } from '../current-user.decorator';
import { Public } from '../public.decorator';
import { MailedTokenDto } from './email-verification.dto';
import { EmailVerificationService } from './email-verification.service';

@ApiTags('users')
@Controller()
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Public()
  @Post('auth/verify-email')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Verify the account’s address with the mailed token',
    description: 'Single use; 400 INVALID_TOKEN for a used, expired or unknown token, or one mailed to an address the account no longer uses.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses(413, 429)
  async verify(@Body() body: MailedTokenDto, @Client() client: ClientContext): Promise<UserResponseDto> {
    return { user: await this.verification.verify(body.token, client) };
  }

  @Post('user/email/verification')
  @ApiBearerAuth()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Mail another verification link (none when the address is already verified)' })
  @ApiAcceptedResponse()
  @ApiErrorResponses(401, 413, 429)
  async resend(@CurrentUser() caller: AuthenticatedUser, @Client() client: ClientContext): Promise<void> {
    await this.verification.resend(caller.userId, client);
  }

  @Public()
  @Post('auth/confirm-email-change')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Move the account to the new address with the token mailed there',
    description: 'The new address becomes the login and is verified; the old one gets a notice. Single use; 409 EMAIL_TAKEN when another account took the address meanwhile.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrorResponses(409, 413, 429)
  async confirmChange(@Body() body: MailedTokenDto, @Client() client: ClientContext): Promise<UserResponseDto> {
    return { user: await this.verification.confirmChange(body.token, client) };
  }
}
