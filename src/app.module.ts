import { Module } from '@nestjs/common';
import { AccountsModule } from './accounts/accounts.module';
import { AudioFilesModule } from './audio-files/audio-files.module';
import { AuthModule } from './auth/auth.module';
import { LoggingModule } from './common/http/logging';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DecryptModule } from './decrypt/decrypt.module';
import { HealthModule } from './health/health.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { RecoveryModule } from './recovery/recovery.module';
import { SessionsModule } from './sessions/sessions.module';
import { StorageModule } from './storage/storage.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    DatabaseModule,
    StorageModule,
    HealthModule,
    MetricsModule,
    MailModule,
    UsersModule,
    AuthModule,
    SessionsModule,
    RecoveryModule,
    AudioFilesModule,
    DecryptModule,
    AccountsModule,
  ],
})
export class AppModule {}
