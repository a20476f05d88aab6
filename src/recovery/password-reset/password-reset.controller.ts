import { Body, Controller, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors/error-codes';
import { ApiErrorResponses } from '../../common/http/api-error-responses.decorator';
import { Responds } from '../../common/http/responds.decorator';
import { Client, ClientContext } from '../../common/http/client-context';
import { Public } from '../../common/http/public.decorator';
import { ForgotPasswordDto, ForgotPasswordResponseDto, mapPasswordReset, ResetPasswordDto, ResetPasswordResponseDto } from './password-reset.dto';
import { PasswordResetService } from './password-reset.service';

@ApiTags('auth')
@Controller('auth')
export class PasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  @Public()
  @Post('forgot-password')
  @ApiOperation({
    operationId: 'forgotPassword',
    summary: 'Mail a password reset link',
    description:
      'Always 202, in the same time, whether or not the address has an account. The link (single use, 30 minutes) goes only to an address that is verified or registered within the last 24 hours. Requests count per client address and per email address (429 past the limit).',
  })
  @Responds(HttpStatus.ACCEPTED, {
    type: ForgotPasswordResponseDto,
    description: 'Accepted; the same answer whether or not the address has an account',
  })
  @ApiErrorResponses(ErrorCode.TOO_MANY_REQUESTS)
  async forgot(@Body() body: ForgotPasswordDto, @Client() client: ClientContext): Promise<ForgotPasswordResponseDto> {
    await this.resets.forgot(body.email, client);
    return { message: 'If an account uses this address and may receive reset mail, a link is on its way' };
  }

  @Public()
  @Post('reset-password')
  @ApiOperation({
    operationId: 'resetPassword',
    summary: 'Set a new password with the mailed token',
    description:
      'With recovery_code the same user key is re-wrapped under the new password and every recording stays readable. Without it a new user key is made for new recordings, and older ones are locked (locked: true, decrypt 423) until the recovery code is entered. Either way every session ends. 400 INVALID_TOKEN for a used, expired or unknown token; 400 INVALID_RECOVERY_CODE leaves the token usable.',
  })
  @Responds(HttpStatus.OK, {
    type: ResetPasswordResponseDto,
    description: 'The password is changed and every session ended; which recordings, if any, are now locked',
  })
  @ApiErrorResponses(
    ErrorCode.INVALID_TOKEN,
    ErrorCode.INVALID_RECOVERY_CODE,
    ErrorCode.CONFLICT,
    ErrorCode.ACCOUNT_DELETED,
    ErrorCode.TOO_MANY_REQUESTS,
  )
  reset(@Body() body: ResetPasswordDto, @Client() client: ClientContext): Promise<ResetPasswordResponseDto> {
    return this.resets.reset(body, client).then(mapPasswordReset);
  }
}
