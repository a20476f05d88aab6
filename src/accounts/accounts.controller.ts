import { Body, Controller, Delete, HttpStatus, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiPasswordChecked } from '../common/http/api-error-responses.decorator';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { Client, ClientContext } from '../common/http/client-context';
import { CurrentUser } from '../common/http/current-user.decorator';
import { Responds } from '../common/http/responds.decorator';
import { AccountsService } from './accounts.service';
import {
  ChangeEmailDto,
  ChangePasswordDto,
  ChangePasswordResponseDto,
  DeleteAccountDto,
  mapChangePassword,
  mapRedeemedRecovery,
  RecoveryCodeResponseDto,
  RedeemRecoveryCodeDto,
  RedeemRecoveryCodeResponseDto,
  ReplaceRecoveryCodeDto,
} from './dto/account.dto';

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
  @Responds(HttpStatus.OK, { type: ChangePasswordResponseDto, description: 'The new key salt and the same user key wrapped under the new password' })
  @ApiPasswordChecked(ErrorCode.CONFLICT, ErrorCode.ACCOUNT_DELETED)
  changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ChangePasswordDto,
    @Client() client: ClientContext,
  ): Promise<ChangePasswordResponseDto> {
    return this.accounts.changePassword(caller, body, client).then(mapChangePassword);
  }

  @Post('email')
  @ApiOperation({
    operationId: 'requestEmailChange',
    summary: 'Change the email address (confirmed by mail)',
    description:
      'Checks the password and mails the new address a single-use link (24 hours); the login changes only when it is followed (POST /api/auth/confirm-email-change), after which the old address gets a notice. Nothing is said here about whether the new address has an account.',
  })
  @Responds(HttpStatus.ACCEPTED, { description: 'Accepted; the confirmation mail leaves after the answer' })
  @ApiPasswordChecked(ErrorCode.ACCOUNT_DELETED)
  async requestEmailChange(@CurrentUser() caller: AuthenticatedUser, @Body() body: ChangeEmailDto, @Client() client: ClientContext): Promise<void> {
    await this.accounts.requestEmailChange(caller, body, client);
  }

  @Put('recovery-code')
  @ApiOperation({
    operationId: 'replaceRecoveryCode',
    summary: 'Replace the recovery code',
    description: 'Checks the password and answers with a new recovery code over every key of the account, shown once; the old code stops working.',
  })
  @Responds(HttpStatus.OK, { type: RecoveryCodeResponseDto, description: 'The new recovery code, shown once' })
  @ApiPasswordChecked(ErrorCode.CONFLICT, ErrorCode.ACCOUNT_DELETED)
  replaceRecoveryCode(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ReplaceRecoveryCodeDto,
    @Client() client: ClientContext,
  ): Promise<RecoveryCodeResponseDto> {
    return this.accounts.replaceRecoveryCode(caller, body.password, client).then((code) => ({ recovery_code: code }));
  }

  @Post('recovery-code/redeem')
  @ApiOperation({
    operationId: 'redeemRecoveryCode',
    summary: 'Unlock recordings locked by a reset without the recovery code',
    description:
      'The recovery code of the time before that reset opens the locked keys; they are wrapped under the current password, the recordings under them decrypt again, and a new recovery code over every key is returned once (400 INVALID_RECOVERY_CODE when the code unlocks nothing; wrong codes count towards a lockout).',
  })
  @Responds(HttpStatus.OK, { type: RedeemRecoveryCodeResponseDto, description: 'The keys unlocked and the new recovery code, shown once' })
  @ApiPasswordChecked(ErrorCode.INVALID_RECOVERY_CODE, ErrorCode.CONFLICT, ErrorCode.ACCOUNT_DELETED)
  redeemRecoveryCode(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: RedeemRecoveryCodeDto,
    @Client() client: ClientContext,
  ): Promise<RedeemRecoveryCodeResponseDto> {
    return this.accounts.redeemRecoveryCode(caller, body, client).then(mapRedeemedRecovery);
  }

  @Delete()
  @ApiOperation({
    operationId: 'deleteAccount',
    summary: 'Delete the account and everything in it',
    description:
      'Marks the account as being deleted (from then on uploads, registrations, refreshes and decryptions answer 410 ACCOUNT_DELETED), ' +
      'deletes recordings, decrypted copies, records, decryption jobs and the other sessions, and frees the email (which can register again). ' +
      'If it fails half-way, calling it again with the same token finishes it (204, also when it was already done). ' +
      'A final sweep ACCOUNT_SWEEP_DELAY_SECONDS later removes the rest: the tombstone, this session, and anything an earlier upload URL stored meanwhile.',
  })
  @Responds(HttpStatus.NO_CONTENT, { description: 'The account and everything in it are gone; the email can register again' })
  @ApiPasswordChecked()
  async deleteAccount(@CurrentUser() caller: AuthenticatedUser, @Body() body: DeleteAccountDto, @Client() client: ClientContext): Promise<void> {
    await this.accounts.deleteAccount(caller, body.password, client);
  }
}
