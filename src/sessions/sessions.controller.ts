import { Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { SessionListResponseDto } from './dto/session.dto';
import { SessionsService } from './sessions.service';

@ApiTags('auth')
@ApiBearerAuth()
@ApiErrorResponses()
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listSessions',
    summary: 'The account’s active sessions (devices)',
    description:
      'Newest first; `current` marks the session of the token making the request. A session started a moment ago can be missing for a short time.',
  })
  @ApiOkResponse({ type: SessionListResponseDto, description: 'The unexpired sessions' })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionListResponseDto> {
    const sessions = await this.sessions.list(caller.userId);
    return {
      sessions: sessions.map((session) => ({
        session_id: session.id,
        user_agent: session.userAgent,
        created_at: session.createdAt.toISOString(),
        last_used_at: session.lastUsedAt.toISOString(),
        expires_at: session.expiresAt.toISOString(),
        current: session.id === caller.sessionId,
      })),
    };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'revokeSession',
    summary: 'End one of the account’s sessions',
    description: 'Its refresh token stops at once; ending the current session works like logout.',
  })
  @ApiNoContentResponse({ description: 'The session has ended' })
  @ApiErrorResponses(ErrorCode.BAD_REQUEST, ErrorCode.NOT_FOUND)
  async revoke(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => ApiException.badRequest('session id must be a UUID') })) sessionId: string,
  ): Promise<void> {
    await this.sessions.revoke(caller.userId, sessionId);
  }
}
