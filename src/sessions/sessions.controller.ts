import { Controller, Delete, Get, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrorResponses } from '../common/http/api-error-responses.decorator';
import type { AuthenticatedUser } from '../common/http/authenticated-user';
import { CurrentUser } from '../common/http/current-user.decorator';
import { Responds } from '../common/http/responds.decorator';
import { UuidParam } from '../common/http/uuid-param';
import { mapSession, SessionListResponseDto } from './dto/session.dto';
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
  @Responds(HttpStatus.OK, { type: SessionListResponseDto, description: 'The unexpired sessions' })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionListResponseDto> {
    const sessions = await this.sessions.list(caller.userId);
    return { sessions: sessions.map((session) => mapSession(session, caller.sessionId)) };
  }

  @Delete(':id')
  @ApiOperation({
    operationId: 'revokeSession',
    summary: 'End one of the account’s sessions',
    description: 'Its refresh token stops at once; ending the current session works like logout.',
  })
  @Responds(HttpStatus.NO_CONTENT, { description: 'The session has ended' })
  @ApiErrorResponses(ErrorCode.NOT_FOUND)
  async revoke(@CurrentUser() caller: AuthenticatedUser, @UuidParam('id', 'session id') sessionId: string): Promise<void> {
    await this.sessions.revoke(caller.userId, sessionId);
  }
}
