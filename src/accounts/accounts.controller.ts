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
  @ApiErrorResponses(ErrorCode.INVALID_PASSWORD, ErrorCode.CONFLICT, ErrorCode.ACCOUNT_DELETED, ErrorCode.TOO_MANY_REQUESTS)
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
    description:
      'Marks the account as being deleted (from then on uploads, registrations, refreshes and decryptions answer 410 ACCOUNT_DELETED), ' +
      'deletes recordings, decrypted copies, records, decryption jobs and the other sessions, and frees the email (which can register again). ' +
      'If it fails half-way, calling it again with the same token finishes it (204, also when it was already done). ' +
      'A final sweep ACCOUNT_SWEEP_DELAY_SECONDS later removes the rest: the tombstone, this session, and anything an earlier upload URL stored meanwhile.',
  })
  @ApiNoContentResponse({ description: 'The account and everything in it are gone; the email can register again' })
  @ApiErrorResponses(ErrorCode.INVALID_PASSWORD, ErrorCode.TOO_MANY_REQUESTS)
  async deleteAccount(@CurrentUser() caller: AuthenticatedUser, @Body() body: DeleteAccountDto, @Client() client: ClientContext): Promise<void> {
    await this.accounts.deleteAccount(caller, body.password, client);
  }
}
