import { Module } from '@nestjs/common';
import { PasswordHasher } from './password-hasher';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { PasswordGate } from './password-gate';

/** Password hashing and the one gate every password check goes through. */
@Module({
  imports: [RateLimitsModule],
  providers: [PasswordHasher, PasswordGate],
  exports: [PasswordGate, PasswordHasher],
})
export class PasswordGateModule {}
