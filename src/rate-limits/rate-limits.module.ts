import { Module } from '@nestjs/common';
import { DynamoDbRateLimitsRepository } from './dynamodb-rate-limits.repository';
import { RateLimiter } from './rate-limiter.service';
import { RateLimitsRepository } from './rate-limits.repository';

@Module({
  providers: [RateLimiter, { provide: RateLimitsRepository, useClass: DynamoDbRateLimitsRepository }],
  exports: [RateLimiter],
})
export class RateLimitsModule {}
