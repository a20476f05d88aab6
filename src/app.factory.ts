import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/http/api-exception.filter';
import { isTrustedProxyHop, setTrustedProxyHops } from './common/http/client-context';
import { sendRateLimitHeaders } from './common/http/rate-limit-headers';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id';
import { API_SECURITY_HEADERS, DOCS_SECURITY_HEADERS } from './common/http/security-headers';
import { ApiValidationPipe } from './common/validation/api-validation.pipe';
import { AppConfig } from './config/app-config';
import { buildOpenApiDocument } from './openapi';

export const API_PREFIX = 'api';
export const DOCS_PATH = 'docs';

export function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: isTrustedProxyHop,
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

/**
 * The HTTP behaviour every request sees: JSON-only bodies within the size limit, a request id on every
 * response, strict validation and the one error envelope. Controller tests apply exactly this too.
 */
export function applyHttpPipeline(app: NestFastifyApplication, bodyLimitBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: bodyLimitBytes },
    fastify.getDefaultJsonParser('error', 'error'),
  );
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  sendRateLimitHeaders(fastify);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new ApiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
}

/** Applies everything a running service needs on top of the module graph; shared by main, tests and tools. */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  setTrustedProxyHops(config.httpSecurity.trustedProxyHops);
  const docsPrefix = `/${DOCS_PATH}`;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      void reply.headers(request.url.startsWith(docsPrefix) ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS);
    });
  // Browsers only: the mobile app is not subject to CORS. No origin is allowed unless configured.
  app.enableCors({ origin: config.httpSecurity.corsOrigins.length > 0 ? config.httpSecurity.corsOrigins : false });
  applyHttpPipeline(app, config.http.bodyLimitBytes);
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
