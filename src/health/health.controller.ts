import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/http/public.decorator';
import { DatabaseHealthRepository } from '../database/database-health.repository';
import { ObjectStorage } from '../storage/object-storage';

class HealthDto {
  @ApiProperty({ example: 'healthy' })
  status: string;

  @ApiProperty({ example: 'panzoto-backend' })
  service: string;

  @ApiProperty({ example: 'dynamodb' })
  database: string;
}

class DependencyCheckDto {
  @ApiProperty({ enum: ['dynamodb-table', 's3-bucket'] })
  kind: 'dynamodb-table' | 's3-bucket';

  @ApiProperty({ example: 'panzoto-users' })
  name: string;

  @ApiProperty()
  ok: boolean;

  @ApiProperty({ required: false, description: 'Error name when the dependency could not be reached' })
  error?: string;
}

class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'unavailable'] })
  status: 'ready' | 'unavailable';

  @ApiProperty({ type: [DependencyCheckDto] })
  checks: DependencyCheckDto[];
}

const HEALTHY: HealthDto = { status: 'healthy', service: 'panzoto-backend', database: 'dynamodb' };

/** HealthDto as a Fastify response schema: serialised by a compiled function rather than JSON.stringify. */
const HEALTH_SERIALIZATION = {
  type: 'object',
  properties: { status: { type: 'string' }, service: { type: 'string' }, database: { type: 'string' } },
} as const;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseHealthRepository,
    private readonly storage: ObjectStorage,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Liveness: the process is up (touches no dependency)',
    description: 'For load balancer and container health checks; it never fails while the process serves requests.',
  })
  @ApiOkResponse({ type: HealthDto, description: 'The process is up' })
  @RouteSchema({ response: { 200: HEALTH_SERIALIZATION } })
  live(): HealthDto {
    return HEALTHY;
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: every DynamoDB table answers a read and the S3 bucket is reachable',
    description: 'All checks run in parallel; the 503 has the same shape as the 200 (not the error envelope).',
  })
  @ApiOkResponse({ type: ReadinessDto, description: 'Every dependency answered' })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'At least one dependency failed; see `checks`' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const [tables, bucket] = await Promise.all([this.database.check(), this.storage.check()]);
    const checks = [...tables, bucket];
    const ready = checks.every((check) => check.ok);
    if (!ready) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ready' : 'unavailable', checks };
  }
}
