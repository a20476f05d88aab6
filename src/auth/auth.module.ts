import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtModuleOptions } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { PasswordGateModule } from '../password-gate/password-gate.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { RecoveryModule } from '../recovery/recovery.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UserKeysModule } from '../user-keys/user-keys.module';
import { UsersModule } from '../users/users.module';
import { AccessTokens, JWT_ALGORITHM } from './access-tokens';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { keyIdOf, TokenKeys } from './token-keys';

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

/** Registration, login, token refresh and logout; the access tokens and the global guard that checks them. */
@Module({
  imports: [
    UsersModule,
    SessionsModule,
    RecoveryModule,
    RateLimitsModule,
    PasswordGateModule,
    UserKeysModule,
    JwtModule.registerAsync({ inject: [AppConfig], useFactory: jwtOptions }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AccessTokens,
    { provide: TokenKeys, inject: [AppConfig], useFactory: (config: AppConfig) => new TokenKeys(config.jwt) },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AuthModule {}
