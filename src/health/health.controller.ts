import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { DatabaseHealthRepository } from '../database/database-health.repository';

class HealthDto {
  @ApiProperty({ example: 'healthy' })
  status: string;

  @ApiProperty({ example: 'panzoto-backend' })
  service: string;

  @ApiProperty({ example: 'dynamodb' })
  database: string;
}

class TableCheckDto {
  @ApiProperty()
  table: string;

  @ApiProperty()
  ok: boolean;

  @ApiProperty({ required: false, description: 'Error name when the table could not be reached' })
  error?: string;
}

class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'unavailable'] })
  status: 'ready' | 'unavailable';

  @ApiProperty({ type: [TableCheckDto] })
  checks: TableCheckDto[];
}

const HEALTHY: HealthDto = { status: 'healthy', service: 'panzoto-backend', database: 'dynamodb' };

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly database: DatabaseHealthRepository) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up (touches no dependency)' })
  @ApiOkResponse({ type: HealthDto })
  live(): HealthDto {
    return HEALTHY;
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: every DynamoDB table answers a read' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const checks = await this.database.check();
    const ready = checks.every((check) => check.ok);
    if (!ready) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ready' : 'unavailable', checks };
  }
}
