import { Module } from '@nestjs/common';
import { DynamoDbSessionsRepository } from './dynamodb-sessions.repository';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

/** Sessions and their refresh tokens: the session list and ending sessions (the token endpoints are in AuthModule). */
@Module({
  controllers: [SessionsController],
  providers: [SessionsService, { provide: SessionsRepository, useClass: DynamoDbSessionsRepository }],
  exports: [SessionsService],
})
export class SessionsModule {}
