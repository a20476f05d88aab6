/**
 * The HTTP-adapter comparison: a bare Nest app, one GET route answering a small JSON object (the same
 * body as GET /api/health, on the same path), on the adapter named by argv[2], listening on 127.0.0.1:argv[3].
 * With a user id in argv[4], it also answers GET /api/user/audio-files with that user's first page from
 * the list's own Query, on the DynamoDB its environment names (the service's variables): the framework
 * and the SDK call, without the service's pipeline. Forked by run.ts; exits when its parent disconnects.
 */
import 'reflect-metadata';
import { Controller, DynamicModule, Get, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppConfig } from '../src/config/app-config';
import { validateEnvironment } from '../src/config/environment';
import { createDocumentClient, createDynamoDbClient } from '../src/database/dynamodb-client';
import { BENCH_LIST_LIMIT, userFilesQuery } from './lib/user-files-query';

const BODY = { status: 'healthy', service: 'panzoto-backend', database: 'dynamodb' };

@Controller('api/health')
class BareController {
  @Get()
  live(): typeof BODY {
    return BODY;
  }
}

function listController(userId: string): Type<unknown> {
  const config = new AppConfig(validateEnvironment({ ...process.env }));
  const query = userFilesQuery(createDocumentClient(createDynamoDbClient(config.dynamodb)), config.dynamodb.tables.audioFiles, userId);
  @Controller('api/user/audio-files')
  class BareListController {
    @Get()
    async list(): Promise<{ audio_files: unknown[]; next_cursor: null }> {
      const { Items = [] } = await query();
      return { audio_files: Items.slice(0, BENCH_LIST_LIMIT), next_cursor: null };
    }
  }
  return BareListController;
}

@Module({})
class BareModule {
  static with(controllers: Array<Type<unknown>>): DynamicModule {
    return { module: BareModule, controllers };
  }
}

async function main(): Promise<void> {
  const [adapterName, port, listUserId] = process.argv.slice(2);
  if (adapterName !== 'fastify' && adapterName !== 'express') throw new Error(`unknown adapter ${adapterName}`);
  const adapter = adapterName === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const controllers = listUserId ? [BareController, listController(listUserId)] : [BareController];
  const app = await NestFactory.create(BareModule.with(controllers), adapter, { logger: false });
  await app.listen(Number(port), '127.0.0.1');
  process.once('disconnect', () => {
    void app.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare ${process.argv[2]} app failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
