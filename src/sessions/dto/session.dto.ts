import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class SessionDto {
  @ApiProperty({ format: 'uuid' })
  session_id: string;

  @ApiPropertyOptional({ description: 'User-Agent of the login that started it' })
  user_agent?: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time', description: 'Last login or refresh' })
  last_used_at: string;

  @ApiProperty({ format: 'date-time' })
  expires_at: string;

  @ApiProperty({ description: 'True for the session of the token making this request' })
  current: boolean;
}

export class SessionListResponseDto {
  @ApiProperty({ type: [SessionDto], description: 'Newest first' })
  sessions: SessionDto[];
}
