import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import { ApiException } from './common/errors/api.exception';
import { ApiExceptionFilter } from './common/http/api-exception.filter';
import { isTrustedProxyHop, setTrustedProxyHops } from './common/http/client-context';
import { registerJsonBodyParser } from './common/http/json-body';
import { AppLogger, logRequests } from './common/http/logging';
import { handleClientError, handleFrameworkError, handleUnsupportedExpectation } from './common/http/protocol-errors';
import { sendRateLimitHeaders } from './common/http/rate-limit-headers';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id';
import { API_SECURITY_HEADERS, DOCS_SECURITY_HEADERS } from './common/http/security-headers';
import { ApiValidationPipe } from './common/validation/api-validation.pipe';
import { AppConfig } from './config/app-config';
import { buildOpenApiDocument, explorerRequestInterceptor, explorerResponseInterceptor } from './openapi';

const API_PREFIX = 'api';
export const DOCS_PATH = 'docs';

export function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: isTrustedProxyHop,
    requestIdHeader: false,
    genReqId: requestIdFor,
    // No Nest middleware is used: requests skip @fastify/middie's layer.
    skipMiddie: true,
    // Only the JSON parser below accepts bodies; this is the ceiling for anything else.
    bodyLimit: 1024 * 1024,
    // What Node and Fastify answer by themselves (431, 408, malformed HTTP or URL) gets the error envelope too.
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
    // While draining, a request already on a kept-alive connection is served (with Connection: close)
    // instead of Fastify's bare 503, which has no envelope and which the client would have to retry.
    return503OnClosing: false,
  });
}

/** Node enforces the headers and request timeouts by checking connections at this interval (30 s by default). */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * Node's own HTTP behaviour: slow or idle clients are cut off (REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS,
 * KEEP_ALIVE_TIMEOUT_MS), and what Node would answer by itself gets the error envelope.
 */
function configureHttpServer(
  server: Server & { connectionsCheckingInterval?: number; requireHostHeader?: boolean },
  timeouts: AppConfig['http'],
): void {
  // The Host check moves to the onRequest hook (applyHttpPipeline), which answers with the envelope.
  server.requireHostHeader = false;
  server.on('checkExpectation', handleUnsupportedExpectation);
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  // Read when the server starts listening: a timeout is then enforced within a quarter of itself, at most a second late.
  server.connectionsCheckingInterval = Math.min(MAX_TIMEOUT_CHECK_INTERVAL_MS, Math.ceil(timeouts.headersTimeoutMs / 4));
}

const DOCS_PREFIX = `/${DOCS_PATH}`;

/**
 * The HTTP behaviour every request sees: JSON-only bodies within the size limit, a request id and the
 * security headers on every response, strict validation and the one error envelope. Controller tests
 * apply exactly this too.
 */
export function applyHttpPipeline(app: NestFastifyApplication, bodyLimitBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify, bodyLimitBytes);
  // The hooks on every request are synchronous: an async hook costs a promise and a microtask hop.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id).headers(request.url.startsWith(DOCS_PREFIX) ? DOCS_SECURITY_HEADERS : API_SECURITY_HEADERS);
    done(
      request.raw.httpVersion === '1.1' && request.headers.host === undefined
        ? ApiException.badRequest('HTTP/1.1 requests need a Host header')
        : undefined,
    );
  });
  sendRateLimitHeaders(fastify);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new ApiValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
}

/** Applies everything a running service needs on top of the module graph; shared by main, tests and tools. */
function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const config = app.get(AppConfig);
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.flushLogs();
  setTrustedProxyHops(config.httpSecurity.trustedProxyHops);
  configureHttpServer(app.getHttpServer(), config.http);
  const fastify = app.getHttpAdapter().getInstance();
  logRequests(fastify, logger);
  // Browsers only: the mobile app is not subject to CORS. No origin is allowed unless configured.
  app.enableCors({ origin: config.httpSecurity.corsOrigins.length > 0 ? config.httpSecurity.corsOrigins : false });
  applyHttpPipeline(app, config.http.bodyLimitBytes);
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    swaggerOptions: {
      persistAuthorization: true,
      requestInterceptor: explorerRequestInterceptor,
      responseInterceptor: explorerResponseInterceptor,
    },
  });
  return Promise.resolve(app);
}

export async function createApp(): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(), {
    bufferLogs: true,
    bodyParser: false,
    // A failed start is thrown to the caller (main.ts logs it as one line), not printed by Nest's
    // console logger as a stack trace and ended with process.exit.
    abortOnError: false,
    autoFlushLogs: false,
  });
  return configureApp(app);
}
