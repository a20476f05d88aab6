import { Module } from '@nestjs/common';
import { AudioFilesModule } from '../audio-files/audio-files.module';
import { AuthModule } from '../auth/auth.module';
import { UsersModule } from '../users/users.module';
import { DecryptController } from './decrypt.controller';
import { DecryptService } from './decrypt.service';

@Module({
  imports: [UsersModule, AuthModule, AudioFilesModule],
  controllers: [DecryptController],
  providers: [DecryptService],
})
export class DecryptModule {}
