import { Body, Controller, Delete, HttpCode, HttpStatus, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import { Client, ClientContext } from '../common/http/client-context';
import { AccountsService } from './accounts.service';
import { ChangePasswordDto, ChangePasswordResponseDto, DeleteAccountDto } from './dto/account.dto';

@ApiTags('users')
@ApiBearerAuth()
@Controller('user')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Put('password')
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change the password',
    description: 'Checks the current password, re-wraps the user key under the new one (recordings stay readable) and ends every other session.',
  })
  @ApiOkResponse({ type: ChangePasswordResponseDto, description: 'The new key salt and the same user key wrapped under the new password' })
  @ApiErrorResponses(ErrorCode.INVALID_PASSWORD, ErrorCode.CONFLICT, ErrorCode.TOO_MANY_REQUESTS)
  changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ChangePasswordDto,
    @Client() client: ClientContext,
  ): Promise<ChangePasswordResponseDto> {
    return this.accounts.changePassword(caller, body, client);
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'deleteAccount',
    summary: 'Delete the account and everything in it',
    description: 'Recordings, decrypted copies, records, decryption jobs, sessions and the email (which can register again). If it fails half-way, calling it again finishes it.',
  })
  @ApiNoContentResponse({ description: 'The account and everything in it are gone; the email can register again' })
  @ApiErrorResponses(ErrorCode.INVALID_PASSWORD, ErrorCode.TOO_MANY_REQUESTS)
  async deleteAccount(@CurrentUser() caller: AuthenticatedUser, @Body() body: DeleteAccountDto, @Client() client: ClientContext): Promise<void> {
    await this.accounts.deleteAccount(caller, body.password, client);
  }
}
