import { Module } from '@nestjs/common';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { UsersModule } from '../users/users.module';
import { AudioFilesController } from './audio-files.controller';
import { AudioFilesRepository } from './audio-files.repository';
import { AudioFilesService } from './audio-files.service';
import { DynamoDbAudioFilesRepository } from './dynamodb-audio-files.repository';

@Module({
  imports: [RateLimitsModule, UsersModule],
  controllers: [AudioFilesController],
  providers: [AudioFilesService, { provide: AudioFilesRepository, useClass: DynamoDbAudioFilesRepository }],
  exports: [AudioFilesService],
})
export class AudioFilesModule {}
