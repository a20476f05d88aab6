import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtModuleOptions } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { BackgroundTasks } from '../common/util/background-tasks';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { AccountTokensRepository } from './account-tokens/account-tokens.repository';
import { DynamoDbAccountTokensRepository } from './account-tokens/dynamodb-account-tokens.repository';
import { EmailVerificationController } from './email-verification/email-verification.controller';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { PasswordResetController } from './password-reset/password-reset.controller';
import { PasswordResetService } from './password-reset/password-reset.service';
import { AccessTokens, JWT_ALGORITHM } from './access-tokens';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { PasswordGateModule } from './password-gate/password-gate.module';
import { RateLimitsModule } from './rate-limits/rate-limits.module';
import { DynamoDbSessionsRepository } from './sessions/dynamodb-sessions.repository';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsRepository } from './sessions/sessions.repository';
import { SessionsService } from './sessions/sessions.service';
import { keyIdOf, TokenKeys } from './token-keys';
import { UserKeysModule } from './user-keys.module';

/** How this service signs access tokens (the JWT strategy verifies the same algorithm, issuer and audience). */
export function jwtOptions(config: AppConfig): JwtModuleOptions {
  return {
    secret: config.jwt.secret,
    signOptions: {
      algorithm: JWT_ALGORITHM,
      expiresIn: config.jwt.ttlSeconds,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      keyid: keyIdOf(config.jwt.secret),
    },
  };
}

@Module({
  imports: [
    UsersModule,
    MailModule,
    RateLimitsModule,
    PasswordGateModule,
    UserKeysModule,
    JwtModule.registerAsync({ inject: [AppConfig], useFactory: jwtOptions }),
  ],
  controllers: [AuthController, SessionsController, PasswordResetController, EmailVerificationController],
  providers: [
    AuthService,
    SessionsService,
    PasswordResetService,
    EmailVerificationService,
    BackgroundTasks,
    AccessTokens,
    { provide: TokenKeys, inject: [AppConfig], useFactory: (config: AppConfig) => new TokenKeys(config.jwt) },
    { provide: SessionsRepository, useClass: DynamoDbSessionsRepository },
    { provide: AccountTokensRepository, useClass: DynamoDbAccountTokensRepository },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [SessionsService, EmailVerificationService],
})
export class AuthModule {}
