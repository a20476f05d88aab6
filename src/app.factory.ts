import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/http/api-exception.filter';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id';
import { ApiValidationPipe } from './common/validation/api-validation.pipe';
import { AppConfig } from './config/app-config';
import { buildOpenApiDocument } from './openapi';

export const API_PREFIX = 'api';
export const DOCS_PATH = 'docs';

function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    requestIdHeader: false,
    // Stored on the raw request too, so pino-http logs the same id (see common/http/logging.ts).
    genReqId: (request: IncomingMessage) => {
      const id = requestIdFor(request);
      request.id = id;
      return id;
    },
    // Only the JSON parser below accepts bodies; this is the ceiling for anything else.
    bodyLimit: 1024 * 1024,
  });
}

/** Applies everything a running service needs on top of the module graph; shared by main, tests and tools. */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const config = app.get(AppConfig);
  const fastify = app.getHttpAdapter().getInstance();

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: config.http.bodyLimitBytes },
    fastify.getDefaultJsonParser('error', 'error'),
  );
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });

  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new ApiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  app.enableShutdownHooks();

  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    swaggerOptions: { persistAuthorization: true },
  });
  return app;
}

export async function createApp(): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(), {
    bufferLogs: true,
    bodyParser: false,
  });
  return configureApp(app);
}
