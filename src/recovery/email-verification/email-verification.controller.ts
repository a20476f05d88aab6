import { Body, Controller, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors/error-codes';
import { ApiErrorResponses } from '../../common/http/api-error-responses.decorator';
import type { AuthenticatedUser } from '../../common/http/authenticated-user';
import { Client, ClientContext } from '../../common/http/client-context';
import { CurrentUser } from '../../common/http/current-user.decorator';
import { Public } from '../../common/http/public.decorator';
import { Responds } from '../../common/http/responds.decorator';
import { mapUser, UserResponseDto } from '../../users/dto/user.dto';
import { MailedTokenDto } from './email-verification.dto';
import { EmailVerificationService } from './email-verification.service';

@ApiTags('users')
@Controller()
export class EmailVerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Public()
  @Post('auth/verify-email')
  @ApiOperation({
    operationId: 'verifyEmail',
    summary: 'Verify the account’s address with the mailed token',
    description: 'Single use; 400 INVALID_TOKEN for a used, expired or unknown token, or one mailed to an address the account no longer uses.',
  })
  @Responds(HttpStatus.OK, { type: UserResponseDto, description: 'The account, its address now verified' })
  @ApiErrorResponses(ErrorCode.INVALID_TOKEN, ErrorCode.ACCOUNT_DELETED, ErrorCode.TOO_MANY_REQUESTS)
  async verify(@Body() body: MailedTokenDto, @Client() client: ClientContext): Promise<UserResponseDto> {
    return { user: mapUser(await this.verification.verify(body.token, client)) };
  }

  @Post('user/email/verification')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'resendVerificationEmail',
    summary: 'Mail another verification link (none when the address is already verified)',
    description:
      'The link (single use, 24 hours) goes to the account’s current address after the answer. Requests count against the account’s budget (429 past the limit).',
  })
  @Responds(HttpStatus.ACCEPTED, { description: 'Accepted; the mail leaves after the answer' })
  @ApiErrorResponses(ErrorCode.ACCOUNT_DELETED, ErrorCode.TOO_MANY_REQUESTS)
  async resend(@CurrentUser() caller: AuthenticatedUser, @Client() client: ClientContext): Promise<void> {
    await this.verification.resend(caller.userId, client);
  }

  @Public()
  @Post('auth/confirm-email-change')
  @ApiOperation({
    operationId: 'confirmEmailChange',
    summary: 'Move the account to the new address with the token mailed there',
    description:
      'The new address becomes the login and is verified; the old one gets a notice. Single use; 409 EMAIL_TAKEN when another account took the address meanwhile.',
  })
  @Responds(HttpStatus.OK, { type: UserResponseDto, description: 'The account under its new, verified address' })
  @ApiErrorResponses(ErrorCode.INVALID_TOKEN, ErrorCode.EMAIL_TAKEN, ErrorCode.CONFLICT, ErrorCode.ACCOUNT_DELETED, ErrorCode.TOO_MANY_REQUESTS)
  async confirmChange(@Body() body: MailedTokenDto, @Client() client: ClientContext): Promise<UserResponseDto> {
    return { user: mapUser(await this.verification.confirmChange(body.token, client)) };
  }
}
