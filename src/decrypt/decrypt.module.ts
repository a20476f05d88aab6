import { Module } from '@nestjs/common';
import { AudioFilesModule } from '../audio-files/audio-files.module';
import { UserKeysModule } from '../user-keys/user-keys.module';
import { DecryptController } from './decrypt.controller';
import { DecryptJobsRepository } from './decrypt-jobs.repository';
import { DecryptService } from './decrypt.service';
import { DecryptSlots } from './decrypt-slots';
import { DynamoDbDecryptJobsRepository } from './dynamodb-decrypt-jobs.repository';

@Module({
  imports: [UserKeysModule, AudioFilesModule],
  controllers: [DecryptController],
  providers: [DecryptService, DecryptSlots, { provide: DecryptJobsRepository, useClass: DynamoDbDecryptJobsRepository }],
  exports: [DecryptService],
})
export class DecryptModule {}
