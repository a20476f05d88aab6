import { Module } from '@nestjs/common';
import { BackgroundTasks } from '../common/util/background-tasks';
import { MailModule } from '../mail/mail.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UserKeysModule } from '../user-keys/user-keys.module';
import { UsersModule } from '../users/users.module';
import { AccountTokensRepository } from './account-tokens/account-tokens.repository';
import { DynamoDbAccountTokensRepository } from './account-tokens/dynamodb-account-tokens.repository';
import { EmailVerificationController } from './email-verification/email-verification.controller';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { PasswordResetController } from './password-reset/password-reset.controller';
import { PasswordResetService } from './password-reset/password-reset.service';

/** What a mailed single-use token does: reset a forgotten password, verify an address, confirm an email change. */
@Module({
  imports: [UsersModule, MailModule, RateLimitsModule, SessionsModule, UserKeysModule],
  controllers: [PasswordResetController, EmailVerificationController],
  providers: [
    PasswordResetService,
    EmailVerificationService,
    BackgroundTasks,
    { provide: AccountTokensRepository, useClass: DynamoDbAccountTokensRepository },
  ],
  exports: [EmailVerificationService],
})
export class RecoveryModule {}
