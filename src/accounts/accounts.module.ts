import { Module } from '@nestjs/common';
import { AudioFilesModule } from '../audio-files/audio-files.module';
import { DecryptModule } from '../decrypt/decrypt.module';
import { PasswordGateModule } from '../password-gate/password-gate.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { RecoveryModule } from '../recovery/recovery.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UserKeysModule } from '../user-keys/user-keys.module';
import { UsersModule } from '../users/users.module';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { DeletedAccountsSweeper } from './deleted-accounts.sweeper';

@Module({
  imports: [UsersModule, SessionsModule, RecoveryModule, PasswordGateModule, RateLimitsModule, UserKeysModule, AudioFilesModule, DecryptModule],
  controllers: [AccountsController],
  providers: [AccountsService, DeletedAccountsSweeper],
})
export class AccountsModule {}
