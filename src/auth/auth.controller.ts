import { Body, Controller, HttpStatus, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { Client, ClientContext } from '../common/http/client-context';
import { CurrentUser } from '../common/http/current-user.decorator';
import { Public } from '../common/http/public.decorator';
import { Responds } from '../common/http/responds.decorator';
import { AuthService } from './auth.service';
import { AuthResponseDto, mapAuthResponse, mapTokenPair, TokenPairDto } from './dto/auth-response.dto';
import { LoginDto, RegisterDto } from './dto/credentials.dto';
import { RefreshDto } from './dto/refresh.dto';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiOperation({
    operationId: 'register',
    summary: 'Create an account; answers with tokens, the key salt and the wrapped user key',
    description: 'Starts the first session (device) of the account and creates its user key, returned wrapped under the password.',
  })
  @Responds(HttpStatus.CREATED, { type: AuthResponseDto, description: 'The new account, its first session’s tokens and how to unlock its user key' })
  @ApiErrorResponses(ErrorCode.EMAIL_TAKEN, ErrorCode.TOO_MANY_REQUESTS)
  register(@Body() body: RegisterDto, @Client() client: ClientContext): Promise<AuthResponseDto> {
    return this.auth.register(body, client).then(mapAuthResponse);
  }

  @Public()
  @Post('login')
  @ApiOperation({
    operationId: 'login',
    summary: 'Exchange email and password for tokens (a new session)',
    description:
      'Failed attempts count against the account (existing or not) and the client address; past the limit the answer is 429 with Retry-After.',
  })
  @Responds(HttpStatus.OK, { type: AuthResponseDto, description: 'The account, the new session’s tokens and how to unlock the user key' })
  @ApiErrorResponses(ErrorCode.INVALID_CREDENTIALS, ErrorCode.TOO_MANY_REQUESTS)
  login(@Body() body: LoginDto, @Client() client: ClientContext): Promise<AuthResponseDto> {
    return this.auth.login(body, client).then(mapAuthResponse);
  }

  @Public()
  @Post('auth/refresh')
  @ApiOperation({
    operationId: 'refreshToken',
    summary: 'Exchange a refresh token for a new token pair',
    description: 'Refresh tokens rotate: each works once. Presenting one that was already used ends the whole session (401).',
  })
  @Responds(HttpStatus.OK, { type: TokenPairDto, description: 'A new access token and the next refresh token of the same session' })
  @ApiErrorResponses(ErrorCode.UNAUTHORIZED, ErrorCode.ACCOUNT_DELETED, ErrorCode.TOO_MANY_REQUESTS)
  refresh(@Body() body: RefreshDto, @Client() client: ClientContext): Promise<TokenPairDto> {
    return this.auth.refresh(body.refresh_token, client).then(mapTokenPair);
  }

  @Post('logout')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'logout',
    summary: 'End this session (already ended is fine)',
    description:
      'Its refresh token stops working at once; access tokens already issued stop within AUTH_CACHE_TTL_MS on other instances (at once on this one) and expire within JWT_TTL_SECONDS anyway.',
  })
  @Responds(HttpStatus.NO_CONTENT, { description: 'The session has ended' })
  @ApiErrorResponses()
  async logout(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.auth.logout(caller);
  }

  @Post('logout-all')
  @ApiBearerAuth()
  @ApiOperation({
    operationId: 'logoutAll',
    summary: 'End every session of the account, this one included',
    description:
      'A session started a moment ago on another device can be missed (the index is eventually consistent); end it with DELETE /api/sessions/{id}.',
  })
  @Responds(HttpStatus.NO_CONTENT, { description: 'Every session found has ended' })
  @ApiErrorResponses()
  async logoutAll(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.auth.logoutEverywhere(caller);
  }
}
