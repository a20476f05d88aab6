/**
 * The HTTP-adapter comparison: a bare Nest app, one GET route answering a small JSON object (the same
 * body as GET /api/health, on the same path), on the adapter named by argv[2], listening on 127.0.0.1:argv[3].
 * Forked by run.ts; exits when its parent disconnects.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

const BODY = { status: 'healthy', service: 'panzoto-backend', database: 'dynamodb' };

@Controller('api/health')
class BareController {
  @Get()
  live(): typeof BODY {
    return BODY;
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const [adapterName, port] = process.argv.slice(2);
  if (adapterName !== 'fastify' && adapterName !== 'express') throw new Error(`unknown adapter ${adapterName}`);
  const adapter = adapterName === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(BareModule, adapter, { logger: false });
  await app.listen(Number(port), '127.0.0.1');
  process.once('disconnect', () => {
    void app.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare ${process.argv[2]} app failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
