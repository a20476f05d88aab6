import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiDateTimeProperty, ApiUuidProperty } from '../../common/http/api-properties';
import type { Session } from '../session';

class SessionDto {
  @ApiUuidProperty()
  session_id: string;

  @ApiPropertyOptional({ description: 'User-Agent of the login that started it' })
  user_agent?: string;

  @ApiDateTimeProperty()
  created_at: string;

  @ApiDateTimeProperty({ description: 'Last login or refresh' })
  last_used_at: string;

  @ApiDateTimeProperty()
  expires_at: string;

  @ApiProperty({ description: 'True for the session of the token making this request' })
  current: boolean;
}

export function mapSession(session: Session, currentSessionId: string): SessionDto {
  return {
    session_id: session.id,
    user_agent: session.userAgent,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    current: session.id === currentSessionId,
  };
}

export class SessionListResponseDto {
  @ApiProperty({ type: [SessionDto], description: 'Newest first' })
  sessions: SessionDto[];
}
