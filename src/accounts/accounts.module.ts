import { Module } from '@nestjs/common';
import { AudioFilesModule } from '../audio-files/audio-files.module';
import { AuthModule } from '../auth/auth.module';
import { PasswordGateModule } from '../auth/password-gate/password-gate.module';
import { RateLimitsModule } from '../auth/rate-limits/rate-limits.module';
import { UserKeysModule } from '../auth/user-keys.module';
import { DecryptModule } from '../decrypt/decrypt.module';
import { UsersModule } from '../users/users.module';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { DeletedAccountsSweeper } from './deleted-accounts.sweeper';

@Module({
  imports: [UsersModule, AuthModule, PasswordGateModule, RateLimitsModule, UserKeysModule, AudioFilesModule, DecryptModule],
  controllers: [AccountsController],
  providers: [AccountsService, DeletedAccountsSweeper],
})
export class AccountsModule {}
